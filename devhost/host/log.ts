/** Host log sink: one line per event, in the spirit of `func start` output. */
export type LogLevel = 'information' | 'warning' | 'error';
export type HostLog = (level: LogLevel, message: string) => void;

export const consoleLog: HostLog = (level, message) => {
  const line = `[${new Date().toISOString()}] ${message}`;
  if (level === 'error') console.error(line);
  else if (level === 'warning') console.warn(line);
  else console.log(line);
};

export const silentLog: HostLog = () => undefined;
