// qXfer:osdata:read (GDB manual, "qXfer:osdata:read" and "Operating System Information"): the
// tables of gdb's `info os`, built from /proc as gdbserver does (nat/linux-osdata.c). An empty
// annex is the list of types; an unknown one is an empty document, which gdb reports as "Empty
// data returned by target.  Wrong osdata type?".
import { type OsdataItem, osdataDocument } from '../../rsp/index.js';
import { files, processes, processGroups, threads } from './processes.js';
import { cpus, modules, sockets } from './system.js';
import { messageQueues, semaphores, sharedMemory } from './sysvipc.js';

interface OsdataType {
  annex: string;
  /** The root element's type attribute (gdbserver's, which is not always the annex). */
  root: string;
  title: string;
  description: string;
  items: () => OsdataItem[];
}

const TYPES: readonly OsdataType[] = [
  {
    annex: 'cpus',
    root: 'cpus',
    title: 'CPUs',
    description: 'Listing of all cpus/cores on the system',
    items: cpus,
  },
  {
    annex: 'files',
    root: 'files',
    title: 'File descriptors',
    description: 'Listing of all file descriptors',
    items: files,
  },
  {
    annex: 'modules',
    root: 'modules',
    title: 'Kernel modules',
    description: 'Listing of all loaded kernel modules',
    items: modules,
  },
  {
    annex: 'msg',
    root: 'message queues',
    title: 'Message queues',
    description: 'Listing of all message queues',
    items: messageQueues,
  },
  {
    annex: 'processes',
    root: 'processes',
    title: 'Processes',
    description: 'Listing of all processes',
    items: processes,
  },
  {
    annex: 'procgroups',
    root: 'process groups',
    title: 'Process groups',
    description: 'Listing of all process groups',
    items: processGroups,
  },
  {
    annex: 'semaphores',
    root: 'semaphores',
    title: 'Semaphores',
    description: 'Listing of all semaphores',
    items: semaphores,
  },
  {
    annex: 'shm',
    root: 'shared memory',
    title: 'Shared-memory regions',
    description: 'Listing of all shared-memory regions',
    items: sharedMemory,
  },
  {
    annex: 'sockets',
    root: 'I sockets',
    title: 'Sockets',
    description: 'Listing of all internet-domain sockets',
    items: sockets,
  },
  {
    annex: 'threads',
    root: 'threads',
    title: 'Threads',
    description: 'Listing of all threads',
    items: threads,
  },
];

function typeList(): OsdataItem[] {
  return TYPES.map((t) => [
    ['Type', t.annex],
    ['Description', t.description],
    ['Title', t.title],
  ]);
}

/** The document for an annex ('' or `types`: the list of types); '' for an unknown annex. */
export function osdataXml(annex: string): string {
  if (annex === '' || annex === 'types') return osdataDocument('types', typeList());
  const type = TYPES.find((t) => t.annex === annex);
  return type === undefined ? '' : osdataDocument(type.root, type.items());
}
