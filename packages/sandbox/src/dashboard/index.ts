// The sandbox dashboard: what server.ts wires in. Order kinds are listed here (deposits and payouts).

export { type DepositHost, depositKey, depositKind } from './deposits.js';
export { ChangeFeed, type HistoryEntry, Journal } from './events.js';
export { type DashboardOrder, newestFirst, type OrderKind } from './kinds.js';
export { type PayoutHost, payoutKey, payoutKind } from './payouts.js';
export { type DashboardDeps, handleDashboard, wantsHtml } from './routes.js';
