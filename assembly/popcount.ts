// Smoke module for the wasm build pipeline: popcount of a 256-bit XOR, as four 64-bit words.
export function hamming256(a0: u64, a1: u64, a2: u64, a3: u64, b0: u64, b1: u64, b2: u64, b3: u64): i32 {
  return <i32>(popcnt(a0 ^ b0) + popcnt(a1 ^ b1) + popcnt(a2 ^ b2) + popcnt(a3 ^ b3));
}
