// Raw RSP round trips against any gdb-remote server, with no debugger in the loop.
//
//   client PORT WARMUP N SETUP... -- LOOP...
//
// Connects, switches to no-ack mode, sends each SETUP packet once, then runs the LOOP packets in
// order (each waits for its reply) WARMUP + N times. "{thread}" in a packet stands for the thread
// id of the last stop reply (its "thread:" field), as gdb would send it. Prints the mean
// microseconds per loop over the first WARMUP loops and over the N after them: "cold_us steady_us".
// Ends by sending `k`. Exits non-zero with a message on any I/O error or an error reply (E..) in
// the loop.
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static int fd;
static char rx[1 << 17];

static void die(const char *what) {
  fprintf(stderr, "client: %s: %s\n", what, errno ? strerror(errno) : "protocol");
  exit(1);
}

static char thread_id[64];

// Notes the thread a stop reply names (T..thread:ID;).
static void note_thread(const char *reply) {
  const char *t = reply[0] == 'T' ? strstr(reply, "thread:") : NULL;
  if (t == NULL) return;
  t += strlen("thread:");
  size_t n = strcspn(t, ";");
  if (n >= sizeof thread_id) n = sizeof thread_id - 1;
  memcpy(thread_id, t, n);
  thread_id[n] = 0;
}

static void send_packet(const char *pattern) {
  char body[2048], out[4096];
  const char *mark = strstr(pattern, "{thread}");
  if (mark != NULL)
    snprintf(body, sizeof body, "%.*s%s%s", (int)(mark - pattern), pattern, thread_id,
             mark + strlen("{thread}"));
  else
    snprintf(body, sizeof body, "%s", pattern);
  unsigned sum = 0;
  for (const char *c = body; *c; c++)
    sum += (unsigned char)*c;
  int n = snprintf(out, sizeof out, "$%s#%02x", body, sum & 0xff);
  if (n < 0 || n >= (int)sizeof out) die("packet too long");
  for (int off = 0; off < n;) {
    ssize_t w = write(fd, out + off, (size_t)(n - off));
    if (w < 0) die("write");
    off += (int)w;
  }
}

// Reads one reply packet ("$...#xx", acks skipped) into rx; returns a pointer to its body.
static const char *read_reply(void) {
  size_t got = 0;
  for (;;) {
    ssize_t r = read(fd, rx + got, sizeof rx - got - 1);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) {
      if (r == 0) errno = 0;
      die("read (server closed?)");
    }
    got += (size_t)r;
    rx[got] = 0;
    char *start = strchr(rx, '$');
    char *hash = start ? strchr(start, '#') : NULL;
    if (hash && strlen(hash) >= 3) {
      *hash = 0;
      note_thread(start + 1);
      return start + 1;
    }
    if (got >= sizeof rx - 1) die("reply too long");
  }
}

// CPU time (user + system, all threads) of process `pid` so far, in microseconds; -1 if
// unknown. SERVER_PID names the server: its cost per unit, whatever the machine's load.
static double cpu_us(const char *pid) {
  if (!pid) return -1;
  char path[64], buf[1024];
  snprintf(path, sizeof path, "/proc/%s/stat", pid);
  FILE *f = fopen(path, "r");
  if (!f) return -1;
  size_t n = fread(buf, 1, sizeof buf - 1, f);
  fclose(f);
  buf[n] = 0;
  const char *p = strrchr(buf, ')');
  unsigned long long utime, stime;
  // After the name: state, then fields 4..13, then utime (14) and stime (15).
  const char *fields = "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu";
  if (!p || sscanf(p + 2, fields, &utime, &stime) != 2) return -1;
  return (double)(utime + stime) * 1e6 / (double)sysconf(_SC_CLK_TCK);
}

static double now_us(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

int main(int argc, char **argv) {
  if (argc < 5) {
    fprintf(stderr, "usage: client PORT WARMUP N SETUP... -- LOOP...\n");
    return 2;
  }
  int port = atoi(argv[1]), warm = atoi(argv[2]), n = atoi(argv[3]), sep = 4, one = 1;
  while (sep < argc && strcmp(argv[sep], "--") != 0)
    sep++;
  if (sep >= argc - 1) {
    fprintf(stderr, "client: no LOOP packets\n");
    return 2;
  }
  fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) die("socket");
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
  inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
  if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) die("connect");
  if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) != 0) die("TCP_NODELAY");
  if (write(fd, "+", 1) != 1) die("write");
  send_packet("QStartNoAckMode");
  if (strcmp(read_reply(), "OK") != 0) die("QStartNoAckMode refused");
  if (write(fd, "+", 1) != 1) die("write"); // acks the OK, the last ack either side sends
  for (int i = 4; i < sep; i++) {
    send_packet(argv[i]);
    read_reply();
  }
  const char *server = getenv("SERVER_PID");
  double t0 = now_us(), t1 = t0, c1 = -1;
  for (int i = 0; i < warm + n; i++) {
    if (i == warm) {
      t1 = now_us();
      c1 = cpu_us(server);
    }
    for (int k = sep + 1; k < argc; k++) {
      send_packet(argv[k]);
      const char *r = read_reply();
      if (r[0] == 'E' && strlen(r) == 3) {
        fprintf(stderr, "client: %s -> %s\n", argv[k], r);
        return 1;
      }
      if (r[0] == 'W' || r[0] == 'X') {
        fprintf(stderr, "client: the program ended (%s)\n", r);
        return 1;
      }
    }
  }
  double t2 = now_us(), c2 = cpu_us(server);
  // Kill the program: a server that dies with it still traced may leave it running.
  send_packet("k");
  printf("%.1f %.1f %.1f\n", warm ? (t1 - t0) / warm : 0.0, n ? (t2 - t1) / n : 0.0,
         n && c1 >= 0 && c2 >= 0 ? (c2 - c1) / n : -1.0);
  return 0;
}
