// QCatchSyscalls (stub/handlers/catch-syscalls.ts): the numbers gdb wants reach the target (none
// for "every syscall"), 0 turns catching off, and a target that cannot catch says so by an empty
// reply (unsupported), as gdbserver without the capability.
import test from 'ava';
import { TargetError } from '../../../stub/target.js';
import { connectSession } from '../../helpers/rsp-client.js';
import { fake } from './_fake.js';

function catching(fail?: TargetError) {
  const calls: string[] = [];
  const target = {
    ...fake().asTarget(),
    syscalls: {
      catchSyscalls: async (on: boolean, numbers: number[]) => {
        if (fail) throw fail;
        calls.push(`${on} [${numbers.join(',')}]`);
      },
    },
  };
  return { target, calls };
}

test('the list, every syscall, then off', async (t) => {
  const { target, calls } = catching();
  const h = await connectSession(target);
  t.is(await h.client.request('QCatchSyscalls:1;0;3c;e7'), 'OK');
  t.is(await h.client.request('QCatchSyscalls:1'), 'OK');
  t.is(await h.client.request('QCatchSyscalls:0'), 'OK');
  t.deepEqual(calls, ['true [0,60,231]', 'true []', 'false []']);
  await h.close();
});

test('a target without syscall stops: empty reply, nothing asked', async (t) => {
  const h = await connectSession(fake().asTarget());
  t.is(await h.client.request('QCatchSyscalls:1'), '');
  await h.close();
});

test("the target's refusal is an error with its errno; a malformed list is refused", async (t) => {
  const { target, calls } = catching(new TargetError('no', 22));
  const h = await connectSession(target);
  t.is(await h.client.request('QCatchSyscalls:1;1'), 'E16');
  t.regex(await h.client.request('QCatchSyscalls:2'), /^E/);
  t.deepEqual(calls, []);
  await h.close();
});
