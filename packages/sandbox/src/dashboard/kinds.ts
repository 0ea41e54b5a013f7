// The dashboard's extension point: every kind of order (deposits today, payouts next) is one
// OrderKind. The list, filters, order page and action routes work on DashboardOrder rows and call
// the kind for its fields, its actions and its notifications; adding a kind is one more entry in
// the array handed to the dashboard.
import type { DeliveryAttempt } from '../notifier.js';
import type { HistoryEntry } from './events.js';

/** One order as the dashboard lists it. Amounts in cents, times in Unix seconds. */
export interface DashboardOrder {
  /** The kind's name, e.g. "deposit"; also the `kind` query parameter. */
  kind: string;
  platformId: string;
  /** The merchant's order id (payment_cl_id for deposits): the id in /orders/{id}. */
  id: string;
  /** The gateway's id (payment_id for deposits). */
  gatewayId: string;
  /** e.g. the service id, or a bank for payouts. */
  method: string;
  amount: number;
  /** Cents that actually moved; 0 until then. */
  realAmount: number;
  /** The raw status code. */
  status: number;
  /** One of the kind's `states` (e.g. "underpaid"): what the filter and the status badge use. */
  state: string;
  /** False while the order can still change. */
  final: boolean;
  createTime: number;
  updateTime: number;
}

/** The answer to a posted action: a notice shown on the order page after the redirect. */
export interface ActionResult {
  notice: string;
}

export interface OrderKind {
  readonly kind: string;
  /** Shown in the list's Kind column and the order page's heading, e.g. "Deposit". */
  readonly label: string;
  /** Every state word `state` can take, in filter order. */
  readonly states: readonly string[];
  /** Every order of this kind, oldest first. */
  list(): DashboardOrder[];
  find(id: string, platformId: string | undefined): DashboardOrder | undefined;
  /** The order page's field table: label and plain text (escaped by the page). */
  fields(order: DashboardOrder): [label: string, value: string][];
  /** A link to show on the order page (e.g. the cashier page), if any. */
  link?(order: DashboardOrder): { href: string; text: string } | undefined;
  /** The order page's action forms, as HTML built with the helpers in forms.ts. */
  actions(order: DashboardOrder): string;
  /** Runs the action posted to /orders/{id}/{action}; throws SandboxError when refused. */
  act(order: DashboardOrder, action: string, form: URLSearchParams): Promise<ActionResult>;
  /** Every notification attempt for the order, oldest first. */
  deliveries(order: DashboardOrder): DeliveryAttempt[];
  history(order: DashboardOrder): HistoryEntry[];
}

/** Every order of every kind, newest first (the kinds list oldest first). */
export function newestFirst(kinds: readonly OrderKind[]): DashboardOrder[] {
  const all = kinds.flatMap((k) => k.list().map((order, seq) => ({ order, seq })));
  // Creation times are in whole seconds: within a second, later in the kind's list is newer.
  all.sort((a, b) => b.order.createTime - a.order.createTime || b.seq - a.seq);
  return all.map((x) => x.order);
}
