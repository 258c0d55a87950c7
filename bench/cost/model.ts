/**
 * Cost per million work items of three designs, from measured operation counts and list prices:
 *   a) this design (one orchestration per request, polling with backoff) on the Azure Storage provider;
 *   b) the same on the Durable Task Scheduler, Consumption SKU;
 *   c) the timer-poll design of origins/000: a timer every 5 minutes queries the projection and
 *      publishes one poll event per in-flight item, handled by separate Event Grid-triggered functions.
 * Pure: no I/O. Counts are per work item; every assumption that is not a measurement is named in
 * ASSUMPTIONS with its reason, so a reader can change it.
 */
import { claimChecksWithin } from '../../src/domain/claims';

export type PriceKey =
  | 'functionsFlexGbSecond'
  | 'functionsFlexExecutionPerMillion'
  | 'cosmosServerlessPerMillionRu'
  | 'eventGridPerMillionOperations'
  | 'storageTransactionsPer10k'
  | 'durableTaskSchedulerConsumptionPerMillionActions';

export interface Price {
  value: number;
  unit: string;
  status: 'confirmed' | 'secondary' | 'unconfirmed';
  source: string;
  sourceDate: string;
  retrieved: string;
}

export type Prices = Record<PriceKey, Price>;

/** Per work item, as measured by `npm run bench` (end to end, this design, demo poll policy). */
export interface Measured {
  /** Where the numbers come from (bench result file and its date). */
  from: string;
  polls: number;
  episodes: number;
  activities: number;
  eventsPublished: number;
  cosmosReads: number;
  cosmosWrites: number;
  intakeTransactions: number;
}

export interface PollPolicy {
  initialSeconds: number;
  factor: number;
  maxSeconds: number;
}

export type Distribution = 'fixed' | 'exponential' | 'uniform';

export interface Scenario {
  meanJobSeconds: number;
  distribution: Distribution;
  poll: PollPolicy;
  /** External Event Grid subscribers that receive every integration event. */
  subscribers: number;
  /** Timer-poll design: seconds between poll-scheduler runs. */
  timerPollSeconds: number;
  /** Function executions sharing one instance's active time (Flex bills instance memory × active time). */
  concurrency: number;
  instanceMemoryGb: number;
  /** This design's DISCOVERY_STALE_CLAIM_SECONDS: the first look at a running item's claim; later looks double the interval. */
  staleClaimSeconds: number;
}

/** Model constants that are not measured here, with why. */
export const ASSUMPTIONS = {
  /** Orchestrator work per poll: the timer fires (1 episode), the poll activity completes (1 episode). */
  episodesPerPoll: 2,
  activitiesPerPoll: 1,
  /** An unchanged poll point-reads the view and version expected+1 (ARCHITECTURE.md, hot path). */
  cosmosReadsPerPoll: 2,
  /** Azure Storage provider: about 5 storage operations per episode plus 4 per activity (issue 12, from DTFx). */
  storageOpsPerEpisode: 5,
  storageOpsPerActivity: 4,
  /** Scheduler actions: start 1, each activity 2 (schedule + result), each timer 1 (billing page). */
  dtsActionsPerStart: 1,
  dtsActionsPerActivity: 2,
  dtsActionsPerTimer: 1,
  /** RU: a 1 KB point read is 1 RU; a ~1 KB write with default indexing about 7 RU; a single-partition query about 3 RU. */
  ruPerRead: 1,
  ruPerWrite: 7,
  ruPerQuery: 3,
  /** Active seconds per execution (I/O-bound activities and handlers; replay-only orchestrator episodes). */
  orchestratorSeconds: 0.05,
  activitySeconds: 0.2,
  handlerSeconds: 0.2,
  /** Timer-poll design, per handled event: idempotency record created and completed (2 writes), stream rehydrated (1 query). */
  timerPollHandlerWrites: 2,
  timerPollHandlerQueries: 1,
  /** Per appended event: stream metadata + event document in one batch (2 writes) and the projection (1 write). */
  timerPollWritesPerAppend: 3,
  /** Handlers of the timer-poll design per item besides polls: PrepareSubmission, SubmitJob, CompleteRequest. */
  timerPollHandlers: 3,
  /** Events appended and published per item besides polls: discovered, prepared, submitted, terminal, completed. */
  timerPollEvents: 5,
  /** Of those, the ones delivered to an internal handler (discovered, prepared, terminal). */
  timerPollHandledEvents: 3,
  /** An unchanged poll records its time on the projection so the scheduler knows when it is next due. */
  timerPollWritesPerPoll: 1,
  /** The scheduler's cross-partition query, per in-flight item it returns. */
  timerPollQueryRuPerItem: 0.5,
  /**
   * Discovery looks at a running item's claim at doubling intervals (src/domain/claims.ts): each look
   * is the listing read, a status check (one task-hub read) and the write that defers the next look.
   */
  intakeTransactionsPerRenewal: 2,
  taskHubReadsPerRenewal: 1,
  /** Discovery: claim + terminal status on the intake row, one read. */
  timerPollIntakeTransactions: 3,
};

export interface DesignResult {
  design: 'a' | 'b' | 'c';
  name: string;
  costPerMillion: number;
  /** Cost per million by service. */
  parts: Record<string, number>;
  polls: number;
  detection: { meanSeconds: number; p95Seconds: number };
  /** Prices this result uses that are not confirmed. */
  unconfirmed: PriceKey[];
}

/** Poll times (seconds after submission) of the backoff policy, up to the first at or after `until`. */
export function pollTimes(policy: PollPolicy, until: number): number[] {
  const times: number[] = [];
  let delay = policy.initialSeconds;
  let t = 0;
  do {
    t += delay;
    times.push(t);
    delay = Math.min(delay * policy.factor, policy.maxSeconds);
  } while (t < until);
  return times;
}

/** Job durations at evenly spaced quantiles of the distribution (for expectations by averaging). */
export function durationSamples(mean: number, distribution: Distribution, n = 400): number[] {
  return Array.from({ length: n }, (_, i) => {
    const q = (i + 0.5) / n;
    if (distribution === 'fixed') return mean;
    if (distribution === 'uniform') return 2 * mean * q;
    return -mean * Math.log(1 - q);
  });
}

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
}

const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

interface Usage {
  executions: number;
  executionSeconds: number;
  ru: number;
  eventGridOps: number;
  storageTransactions: number;
  dtsActions: number;
}

function price(
  usage: Usage,
  prices: Prices,
  s: Scenario,
): { total: number; parts: Record<string, number>; used: PriceKey[] } {
  const million = 1e6;
  const parts: Record<string, number> = {
    functions:
      million *
      ((usage.executions * prices.functionsFlexExecutionPerMillion.value) / 1e6 +
        ((usage.executionSeconds * s.instanceMemoryGb) / s.concurrency) * prices.functionsFlexGbSecond.value),
    cosmos: (million * usage.ru * prices.cosmosServerlessPerMillionRu.value) / 1e6,
    eventGrid: (million * usage.eventGridOps * prices.eventGridPerMillionOperations.value) / 1e6,
    storage: (million * usage.storageTransactions * prices.storageTransactionsPer10k.value) / 1e4,
    scheduler: (million * usage.dtsActions * prices.durableTaskSchedulerConsumptionPerMillionActions.value) / 1e6,
  };
  const used: PriceKey[] = [
    'functionsFlexGbSecond',
    'functionsFlexExecutionPerMillion',
    'cosmosServerlessPerMillionRu',
    'eventGridPerMillionOperations',
  ];
  if (usage.storageTransactions > 0) used.push('storageTransactionsPer10k');
  if (usage.dtsActions > 0) used.push('durableTaskSchedulerConsumptionPerMillionActions');
  for (const k of Object.keys(parts)) if (parts[k] === 0) delete parts[k];
  return { total: Object.values(parts).reduce((a, b) => a + b, 0), parts, used };
}

/** This design's usage for one item whose job takes `polls` polls, from the measured counts. */
function orchestrationUsage(
  m: Measured,
  polls: number,
  s: Scenario,
): Omit<Usage, 'storageTransactions' | 'dtsActions'> & { episodes: number; activities: number } {
  const A = ASSUMPTIONS;
  const extra = polls - m.polls;
  const episodes = m.episodes + extra * A.episodesPerPoll;
  const activities = m.activities + extra * A.activitiesPerPoll;
  return {
    episodes,
    activities,
    executions: episodes + activities,
    executionSeconds: episodes * A.orchestratorSeconds + activities * A.activitySeconds,
    ru: (m.cosmosReads + extra * A.cosmosReadsPerPoll) * A.ruPerRead + m.cosmosWrites * A.ruPerWrite,
    eventGridOps: m.eventsPublished * (1 + s.subscribers),
  };
}

export function costDesigns(m: Measured, s: Scenario, prices: Prices): DesignResult[] {
  const A = ASSUMPTIONS;
  const jobs = durationSamples(s.meanJobSeconds, s.distribution);
  const backoff = jobs.map((d) => pollTimes(s.poll, d));
  const backoffPolls = mean(backoff.map((t) => t.length));
  const backoffLatency = backoff.map((t, i) => t[t.length - 1]! - jobs[i]!);

  const orch = orchestrationUsage(m, backoffPolls, s);
  const renewals = mean(jobs.map((d) => claimChecksWithin(d, s.staleClaimSeconds)));
  const intake = m.intakeTransactions + renewals * A.intakeTransactionsPerRenewal;
  const a = price(
    {
      ...orch,
      storageTransactions:
        orch.episodes * A.storageOpsPerEpisode +
        orch.activities * A.storageOpsPerActivity +
        renewals * A.taskHubReadsPerRenewal +
        intake,
      dtsActions: 0,
    },
    prices,
    s,
  );
  const timers = backoffPolls;
  const b = price(
    {
      ...orch,
      storageTransactions: intake,
      dtsActions: A.dtsActionsPerStart + orch.activities * A.dtsActionsPerActivity + timers * A.dtsActionsPerTimer,
    },
    prices,
    s,
  );

  // Timer-poll: a poll at each scheduler tick after submission; the job's submission falls at a uniform phase of the tick.
  const phases = jobs.map((_, i) => ((i * 0.618034) % 1) * s.timerPollSeconds);
  const tickPolls = jobs.map((d, i) =>
    Math.max(1, Math.ceil((d - (s.timerPollSeconds - phases[i]!)) / s.timerPollSeconds) + 1),
  );
  const tickLatency = jobs.map(
    (d, i) => s.timerPollSeconds - phases[i]! + (tickPolls[i]! - 1) * s.timerPollSeconds - d,
  );
  const polls = mean(tickPolls);
  const handlerRuns = A.timerPollHandlers + polls;
  const c = price(
    {
      executions: handlerRuns,
      executionSeconds: handlerRuns * A.handlerSeconds,
      ru:
        handlerRuns * (A.timerPollHandlerWrites * A.ruPerWrite + A.timerPollHandlerQueries * A.ruPerQuery) +
        A.timerPollEvents * A.timerPollWritesPerAppend * A.ruPerWrite +
        polls * (A.timerPollWritesPerPoll * A.ruPerWrite + A.timerPollQueryRuPerItem),
      // Every event: 1 ingress + 1 delivery per external subscriber; handled ones also 1 delivery to their handler.
      eventGridOps: (A.timerPollEvents + polls) * (1 + s.subscribers) + A.timerPollHandledEvents + polls,
      storageTransactions: A.timerPollIntakeTransactions,
      dtsActions: 0,
    },
    prices,
    s,
  );

  const detection = (xs: number[]): DesignResult['detection'] => ({
    meanSeconds: mean(xs),
    p95Seconds: percentile(xs, 95),
  });
  const unconfirmed = (used: PriceKey[]): PriceKey[] => used.filter((k) => prices[k].status !== 'confirmed');
  return [
    {
      design: 'a',
      name: 'orchestration per request, Azure Storage provider',
      costPerMillion: a.total,
      parts: a.parts,
      polls: backoffPolls,
      detection: detection(backoffLatency),
      unconfirmed: unconfirmed(a.used),
    },
    {
      design: 'b',
      name: 'orchestration per request, Durable Task Scheduler (Consumption)',
      costPerMillion: b.total,
      parts: b.parts,
      polls: backoffPolls,
      detection: detection(backoffLatency),
      unconfirmed: unconfirmed(b.used),
    },
    {
      design: 'c',
      name: `timer poll every ${s.timerPollSeconds / 60} min (origins/000)`,
      costPerMillion: c.total,
      parts: c.parts,
      polls,
      detection: detection(tickLatency),
      unconfirmed: unconfirmed(c.used),
    },
  ];
}

/** The Scheduler action price at which design b costs what design a does (everything else equal). */
export function breakEvenActionPrice(results: DesignResult[], prices: Prices): number {
  const a = results.find((r) => r.design === 'a')!;
  const b = results.find((r) => r.design === 'b')!;
  // parts are $ per million items, so the scheduler part is (actions per item) × ($ per million actions).
  const actionsPerItem = (b.parts.scheduler ?? 0) / prices.durableTaskSchedulerConsumptionPerMillionActions.value;
  const bWithoutActions = b.costPerMillion - (b.parts.scheduler ?? 0);
  return (a.costPerMillion - bWithoutActions) / actionsPerItem;
}
