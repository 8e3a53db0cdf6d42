// The mocha globals @web/test-runner's default framework defines in the test page (no @types/mocha here).
interface MochaContext {
  timeout(ms: number): void;
  skip(): never;
}
declare function describe(name: string, body: (this: MochaContext) => void): void;
declare function it(name: string, body: (this: MochaContext) => Promise<void> | void): void;
declare function before(body: (this: MochaContext) => Promise<void> | void): void;
declare function after(body: (this: MochaContext) => Promise<void> | void): void;
declare function beforeEach(body: (this: MochaContext) => Promise<void> | void): void;
declare function afterEach(body: (this: MochaContext) => Promise<void> | void): void;
