// Hand-made SVG charts for the dashboard: stacked columns and horizontal bars. Each chart has a title and
// description for screen readers and the same figures in a table beside it.
import type { ReactNode } from 'react';

// Colours with at least 3:1 contrast against white (for graphics) and distinct in greyscale.
export const palette = [
  '#1f5fbf',
  '#b3471b',
  '#2e7d32',
  '#7b3fa6',
  '#8a6d00',
  '#00758a',
  '#a3195b',
  '#4e5a65',
];

export interface Series {
  name: string;
  colour: string;
}

export function StackedColumns({
  id,
  title,
  description,
  labels,
  series,
  values,
}: {
  id: string;
  title: string;
  description: string;
  /** One label per column (days). */
  labels: string[];
  series: Series[];
  /** values[column][series] */
  values: number[][];
}) {
  const width = 720;
  const height = 240;
  const left = 40;
  const bottom = 28;
  const top = 10;
  const totals = values.map((column) => column.reduce((sum, value) => sum + value, 0));
  const max = niceMax(Math.max(1, ...totals));
  const plotHeight = height - bottom - top;
  const step = (width - left) / Math.max(1, labels.length);
  const barWidth = Math.max(2, step * 0.7);
  const y = (value: number) => top + plotHeight - (value / max) * plotHeight;
  const labelEvery = Math.ceil(labels.length / 10);
  return (
    <figure className="chart">
      <svg
        viewBox={`0 0 ${width} ${height}`}
        role="img"
        aria-labelledby={`chart-${id}-title chart-${id}-desc`}
      >
        <title id={`chart-${id}-title`}>{title}</title>
        <desc id={`chart-${id}-desc`}>{description}</desc>
        <Axis max={max} y={y} left={left} width={width} />
        {values.map((column, index) => {
          let base = 0;
          const x = left + index * step + (step - barWidth) / 2;
          return (
            <g key={labels[index]}>
              {column.map((value, seriesIndex) => {
                if (value === 0) return null;
                const from = base;
                base += value;
                const entry = series[seriesIndex];
                return (
                  <rect
                    key={entry?.name ?? seriesIndex}
                    x={x}
                    y={y(base)}
                    width={barWidth}
                    height={y(from) - y(base)}
                    fill={entry?.colour}
                  >
                    <title>{`${labels[index] ?? ''}, ${entry?.name ?? ''}: ${value}`}</title>
                  </rect>
                );
              })}
              {index % labelEvery === 0 && (
                <text x={x + barWidth / 2} y={height - 8} textAnchor="middle" className="axis-label">
                  {(labels[index] ?? '').slice(5)}
                </text>
              )}
            </g>
          );
        })}
      </svg>
      <Legend series={series} />
    </figure>
  );
}

export function HorizontalBars({
  id,
  title,
  description,
  rows,
}: {
  id: string;
  title: string;
  description: string;
  rows: { label: string; value: number; colour?: string }[];
}) {
  const width = 720;
  const rowHeight = 26;
  const labelWidth = 220;
  const height = Math.max(1, rows.length) * rowHeight + 8;
  const max = Math.max(1, ...rows.map((row) => row.value));
  const barSpace = width - labelWidth - 60;
  return (
    <figure className="chart">
      <svg
        viewBox={`0 0 ${width} ${height}`}
        role="img"
        aria-labelledby={`chart-${id}-title chart-${id}-desc`}
      >
        <title id={`chart-${id}-title`}>{title}</title>
        <desc id={`chart-${id}-desc`}>{description}</desc>
        {rows.map((row, index) => {
          const y = 4 + index * rowHeight;
          const length = (row.value / max) * barSpace;
          return (
            <g key={row.label}>
              <text x={labelWidth - 8} y={y + rowHeight / 2 + 4} textAnchor="end" className="axis-label">
                {row.label}
              </text>
              <rect
                x={labelWidth}
                y={y + 3}
                width={Math.max(1, length)}
                height={rowHeight - 8}
                fill={row.colour ?? palette[0]}
              >
                <title>{`${row.label}: ${row.value}`}</title>
              </rect>
              <text x={labelWidth + length + 6} y={y + rowHeight / 2 + 4} className="axis-label">
                {row.value}
              </text>
            </g>
          );
        })}
      </svg>
    </figure>
  );
}

function Axis({
  max,
  y,
  left,
  width,
}: {
  max: number;
  y: (value: number) => number;
  left: number;
  width: number;
}) {
  const ticks = [0, max / 2, max];
  return (
    <g aria-hidden="true">
      {ticks.map((tick) => (
        <g key={tick}>
          <line x1={left} x2={width} y1={y(tick)} y2={y(tick)} className="grid" />
          <text x={left - 6} y={y(tick) + 4} textAnchor="end" className="axis-label">
            {tick}
          </text>
        </g>
      ))}
    </g>
  );
}

function Legend({ series }: { series: Series[] }) {
  return (
    <figcaption>
      <ul className="legend">
        {series.map((entry) => (
          <li key={entry.name}>
            <svg className="swatch" width="12" height="12" aria-hidden="true">
              <rect width="12" height="12" fill={entry.colour} />
            </svg>{' '}
            {entry.name}
          </li>
        ))}
      </ul>
    </figcaption>
  );
}

/** A round number at or above the value, so that axis ticks read well. */
function niceMax(value: number): number {
  const magnitude = 10 ** Math.floor(Math.log10(value));
  for (const factor of [1, 2, 2.5, 5, 10]) {
    if (factor * magnitude >= value && Number.isInteger((factor * magnitude) / 2)) return factor * magnitude;
  }
  return 10 * magnitude;
}

export function DataTable({ caption, head, rows }: { caption: string; head: string[]; rows: ReactNode[][] }) {
  return (
    <details className="data">
      <summary>Show the figures: {caption}</summary>
      <table>
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            {head.map((name) => (
              <th key={name} scope="col">
                {name}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row, index) => (
            <tr key={index}>
              {row.map((cell, column) => (
                <td key={column}>{cell}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </details>
  );
}
