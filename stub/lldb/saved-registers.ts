// `QSaveRegisterState` / `QRestoreRegisterState:<id>` (lldbgdbremote.md): LLDB saves a thread's
// registers around an expression call and restores them by id. As in lldb-server
// (GDBRemoteCommunicationServerLLGS), ids are per process, start at 1 (0 means "failed" to
// LLDB), count up, and a restore consumes its id.

/** One saved register file: copies of the GPR block and the FP (fxsave or xsave) block. */
export interface SavedRegisters {
  gpr: Buffer;
  fp: Buffer;
}

export class SavedRegisterStates {
  private next = 1;
  private readonly states = new Map<number, SavedRegisters>();

  /** Keeps copies of the buffers and returns the save id. */
  save(gpr: Buffer, fp: Buffer): number {
    const id = this.next++;
    this.states.set(id, { gpr: Buffer.from(gpr), fp: Buffer.from(fp) });
    return id;
  }

  /** The state saved under `id`, forgotten afterwards; undefined for an unknown id. */
  take(id: number): SavedRegisters | undefined {
    const s = this.states.get(id);
    this.states.delete(id);
    return s;
  }

  get size(): number {
    return this.states.size;
  }
}
