// A clock the test moves: performance.now() (what the annotation countdown and click times read) is
// frozen when installed and moves only by advance(ms), so a test of the countdown follows its own
// script however fast or slow the machine is. Timers and animation frames still run in real time.
export interface TestClock {
  advance(ms: number): void;
  restore(): void;
}

export function testClock(): TestClock {
  const real = performance.now;
  // whole milliseconds, so differences of the clock's readings are exact
  let now = Math.round(real.call(performance));
  performance.now = () => now;
  return {
    advance: (ms) => {
      now += ms;
    },
    restore: () => {
      performance.now = real;
    },
  };
}
