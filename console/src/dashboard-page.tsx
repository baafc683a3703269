// The dashboard: reports per day by source, confirmed cases by category and grade, time from report to
// decision (median and 90th percentile), and the countries hosting confirmed URLs.
import { useEffect, useState } from 'react';
import { api, messageOf } from './api';
import type { Dashboard } from './api';
import { DataTable, HorizontalBars, StackedColumns, palette } from './charts';
import { useTitle } from './context';
import { categoryName, duration } from './format';

const periods = [7, 30, 90, 365];

export function DashboardPage() {
  useTitle('Dashboard');
  const [days, setDays] = useState(30);
  const [data, setData] = useState<Dashboard>();
  const [error, setError] = useState<string>();

  useEffect(() => {
    let live = true;
    setError(undefined);
    api.dashboard(days).then(
      (loaded) => live && setData(loaded),
      (failed: unknown) => live && setError(messageOf(failed)),
    );
    return () => {
      live = false;
    };
  }, [days]);

  return (
    <section aria-labelledby="dashboard-title">
      <div className="page-head">
        <h1 id="dashboard-title">Dashboard</h1>
        <div className="actions">
          <label htmlFor="dashboard-days">Period</label>
          <select id="dashboard-days" value={days} onChange={(event) => setDays(Number(event.target.value))}>
            {periods.map((period) => (
              <option key={period} value={period}>
                last {period} days
              </option>
            ))}
          </select>
        </div>
      </div>
      {error !== undefined && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {data === undefined && error === undefined && <p aria-busy="true">Loading the figures…</p>}
      {data !== undefined && <Figures data={data} days={days} />}
    </section>
  );
}

function Figures({ data, days }: { data: Dashboard; days: number }) {
  const dayLabels = lastDays(days);
  const sources = [...new Set(data.reports_per_day.map((row) => row.source))].sort();
  const series = sources.map((name, index) => ({
    name,
    colour: palette[index % palette.length] ?? '#1f5fbf',
  }));
  const perDay = dayLabels.map((day) =>
    sources.map(
      (source) => data.reports_per_day.find((row) => row.day === day && row.source === source)?.count ?? 0,
    ),
  );
  const totalReports = data.reports_per_day.reduce((sum, row) => sum + row.count, 0);
  const confirmed = [...data.confirmed].sort((a, b) => b.count - a.count);
  const countries = [...data.hosting_countries].sort((a, b) => b.count - a.count);
  const timing = data.time_to_decision;

  return (
    <>
      <section aria-labelledby="timing-title" className="figures">
        <h2 id="timing-title">Time from report to decision</h2>
        <dl className="big-numbers">
          <div>
            <dt>Median</dt>
            <dd data-testid="median">
              {timing.median_seconds === null ? '—' : duration(timing.median_seconds)}
            </dd>
          </div>
          <div>
            <dt>90th percentile</dt>
            <dd data-testid="p90">{timing.p90_seconds === null ? '—' : duration(timing.p90_seconds)}</dd>
          </div>
          <div>
            <dt>Cases decided</dt>
            <dd>{timing.count}</dd>
          </div>
          <div>
            <dt>Reports received</dt>
            <dd>{totalReports}</dd>
          </div>
        </dl>
      </section>

      <section aria-labelledby="per-day-title">
        <h2 id="per-day-title">Reports per day by source</h2>
        {totalReports === 0 ? (
          <p>No reports in this period.</p>
        ) : (
          <>
            <StackedColumns
              id="per-day"
              title="Reports per day by source"
              description={`${totalReports} reports over ${days} days, stacked by source: ${sources.join(', ')}.`}
              labels={dayLabels}
              series={series}
              values={perDay}
            />
            <DataTable
              caption="reports per day by source"
              head={['Day', ...sources]}
              rows={dayLabels
                .map((day, index) => [day, ...(perDay[index] ?? [])])
                .filter((row) => row.slice(1).some((value) => value !== 0))}
            />
          </>
        )}
      </section>

      <section aria-labelledby="confirmed-title">
        <h2 id="confirmed-title">Confirmed by category and grade</h2>
        {confirmed.length === 0 ? (
          <p>Nothing confirmed in this period.</p>
        ) : (
          <>
            <HorizontalBars
              id="confirmed"
              title="Confirmed cases by category and grade"
              description={confirmed
                .map(
                  (row) =>
                    `${categoryName(row.category)}${row.grade === '' ? '' : ` grade ${row.grade}`}: ${row.count}`,
                )
                .join('; ')}
              rows={confirmed.map((row) => ({
                label: `${row.category}${row.grade === '' ? '' : ` ${row.grade}`}`,
                value: row.count,
                colour: palette[1],
              }))}
            />
            <DataTable
              caption="confirmed by category and grade"
              head={['Category', 'Grade', 'Cases']}
              rows={confirmed.map((row) => [
                categoryName(row.category),
                row.grade === '' ? '—' : row.grade,
                row.count,
              ])}
            />
          </>
        )}
      </section>

      <section aria-labelledby="countries-title">
        <h2 id="countries-title">Hosting countries of confirmed URLs</h2>
        {countries.length === 0 ? (
          <p>No confirmed URL with a known hosting country in this period.</p>
        ) : (
          <>
            <HorizontalBars
              id="countries"
              title="Hosting countries of confirmed URLs"
              description={countries.map((row) => `${countryName(row.country)}: ${row.count}`).join('; ')}
              rows={countries.slice(0, 20).map((row) => ({
                label: countryName(row.country),
                value: row.count,
                colour: palette[2],
              }))}
            />
            <table className="details">
              <caption className="visually-hidden">Hosting countries of confirmed URLs</caption>
              <thead>
                <tr>
                  <th scope="col">Country</th>
                  <th scope="col">Confirmed URLs</th>
                </tr>
              </thead>
              <tbody>
                {countries.map((row) => (
                  <tr key={row.country}>
                    <td>{countryName(row.country)}</td>
                    <td>{row.count}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </>
        )}
      </section>
    </>
  );
}

/** The last `days` days up to today (UTC), as YYYY-MM-DD. */
function lastDays(days: number): string[] {
  const today = Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate());
  return Array.from({ length: days }, (_, index) =>
    new Date(today - (days - 1 - index) * 86_400_000).toISOString().slice(0, 10),
  );
}

const regionNames =
  typeof Intl.DisplayNames === 'function' ? new Intl.DisplayNames(undefined, { type: 'region' }) : undefined;

function countryName(code: string): string {
  if (code === '') return 'unknown';
  try {
    const name = regionNames?.of(code.toUpperCase());
    return name === undefined || name === code.toUpperCase() ? code : `${name} (${code.toUpperCase()})`;
  } catch {
    return code;
  }
}
