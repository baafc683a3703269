// Generated test images for the benchmarks: nothing real, nothing abusive.

/** A photo-like RGB image: smooth waves in each channel, shading, and sensor-like noise. */
export function photoLike(width: number, height: number, seed: number): Buffer {
  const pixels = Buffer.alloc(width * height * 3);
  const waves = [0, 1, 2].map((channel) => ({
    across: Float32Array.from(
      { length: width },
      (_, x) => 70 * Math.sin(x / (40 + 17 * channel + (seed % 50)) + seed),
    ),
    down: Float32Array.from({ length: height }, (_, y) => 60 * Math.cos(y / (30 + 11 * channel) + seed)),
  }));
  let state = (0x9e3779b9 ^ seed) >>> 0 || 1;
  for (let y = 0; y < height; y += 1) {
    const shade = (y / height) * 40;
    for (let x = 0; x < width; x += 1) {
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      for (let channel = 0; channel < 3; channel += 1) {
        const wave = waves[channel];
        pixels[(y * width + x) * 3 + channel] =
          110 + shade + (wave?.across[x] ?? 0) + (wave?.down[y] ?? 0) + ((state >>> (8 * channel)) & 15);
      }
    }
  }
  return pixels;
}
