// The sandbox dashboard: what server.ts wires in. Order kinds are listed here (deposits today;
// a payouts kind is one more entry).

export { type DepositHost, depositKey, depositKind } from './deposits.js';
export { ChangeFeed, type HistoryEntry, Journal } from './events.js';
export { type DashboardOrder, newestFirst, type OrderKind } from './kinds.js';
export { type DashboardDeps, handleDashboard, wantsHtml } from './routes.js';
