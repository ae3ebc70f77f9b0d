import { describe, expect, it } from "vitest";
import { UsageError } from "./errors.js";
import { integerOption } from "./integer-option.js";
import { ParsedArgs } from "./spec.js";

const of = (value: string, min: number, max?: number): number =>
  integerOption(new ParsedArgs({ n: value }, []), "n", min, max);

describe("integerOption", () => {
  it("reads decimal and 0x hex, with a minus sign when min allows it", () => {
    expect(of("42", 0)).toBe(42);
    expect(of(" 0x1f ", 0)).toBe(31);
    expect(of("-7", -100)).toBe(-7);
    expect(of("-0x10", -100)).toBe(-16);
  });

  it("refuses values out of range or not integers, naming the option", () => {
    expect(() => of("-1", 0)).toThrow(UsageError);
    expect(() => of("-1", 0)).toThrow("--n: '-1' is not an integer at least 0");
    expect(() => of("9", 1, 8)).toThrow("--n: '9' is not an integer from 1 to 8");
    for (const bad of ["", "1.5", "--1", "-", "0x", "1e3", "- 1"]) {
      expect(() => of(bad, -100)).toThrow(UsageError);
    }
  });
});
