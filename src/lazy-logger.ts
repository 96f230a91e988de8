// Fastify gives every request a child logger; building a pino child (bindings serialised, methods rebound) costs
// more than the rest of a keyed GET's framework work, while at the usual levels a request logs nothing. The child is
// built on the first log call instead, with the same bindings and options, so the lines are unchanged.
import type { FastifyBaseLogger } from 'fastify';

type Bindings = Parameters<FastifyBaseLogger['child']>[0];
type ChildOptions = NonNullable<Parameters<FastifyBaseLogger['child']>[1]>;
type Spread = (...args: unknown[]) => void;

class LazyChildLogger implements FastifyBaseLogger {
  private real: FastifyBaseLogger | undefined;

  constructor(
    private readonly parent: FastifyBaseLogger,
    private readonly bindings: Bindings,
    private readonly options: ChildOptions,
  ) {}

  private get logger(): FastifyBaseLogger {
    return (this.real ??= this.parent.child(this.bindings, this.options));
  }

  get level(): string {
    return this.real ? this.real.level : (this.options.level ?? this.parent.level);
  }

  set level(level: string) {
    this.logger.level = level;
  }

  fatal(...args: unknown[]): void {
    (this.logger.fatal as Spread).apply(this.logger, args);
  }
  error(...args: unknown[]): void {
    (this.logger.error as Spread).apply(this.logger, args);
  }
  warn(...args: unknown[]): void {
    (this.logger.warn as Spread).apply(this.logger, args);
  }
  info(...args: unknown[]): void {
    (this.logger.info as Spread).apply(this.logger, args);
  }
  debug(...args: unknown[]): void {
    (this.logger.debug as Spread).apply(this.logger, args);
  }
  trace(...args: unknown[]): void {
    (this.logger.trace as Spread).apply(this.logger, args);
  }
  silent(...args: unknown[]): void {
    (this.logger.silent as Spread).apply(this.logger, args);
  }

  child(bindings: Bindings, options?: ChildOptions): FastifyBaseLogger {
    return this.logger.child(bindings, options);
  }
}

export function lazyChildLogger(parent: FastifyBaseLogger, bindings: Bindings, options: ChildOptions): FastifyBaseLogger {
  return new LazyChildLogger(parent, bindings, options);
}
