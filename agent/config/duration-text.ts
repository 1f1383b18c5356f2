/** Durations in agent.yaml's own notation, for messages that name a limit or a value: 7d, 8d5s, 1m30s, 500ms. */
const UNITS: [string, number][] = [
  ['d', 86_400_000],
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1000],
  ['ms', 1],
];

/** `ms` as a duration agent.yaml accepts, largest units first: 691205000 -> "8d5s". */
export function durationText(ms: number): string {
  if (ms <= 0) return '0s';
  let left = Math.round(ms);
  let text = '';
  for (const [unit, size] of UNITS) {
    const n = Math.floor(left / size);
    if (n > 0) text += `${n}${unit}`;
    left -= n * size;
  }
  return text;
}
