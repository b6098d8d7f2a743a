// A packet no parser claims. The stub must reply with an empty packet (GDB manual, "Packets":
// "an empty response ... indicates that the command is not supported").
export interface UnknownCommand {
  kind: 'unknown';
  packet: string;
}
