// The console's route table: one entry per view, with where it shows in the
// navigation. A new view is one more entry here and a file in views/.
import { html } from 'htm/preact';
import { session, isMSP, isOperator } from './state.js';
import { Home } from './views/home.js';
import { Session } from './views/session.js';
import { Customers, Partners, Relationship } from './views/relationships.js';
import { SentInvitations, IncomingInvitations, ReviewInvitation } from './views/invitations.js';
import { Audit } from './views/audit.js';
import { Webhooks, Deliveries } from './views/webhooks.js';
import { Roles } from './views/roles.js';
import { Organizations, Organization } from './views/organizations.js';
import { CheckAccess } from './views/access.js';
import { NewTenant } from './views/tenants.js';
import { Templates, TemplatePage } from './views/templates.js';
import { ChangeRequestInbox } from './views/changes.js';

// Navigation groups, in order; a group shows when its test passes.
export const groups = [
  { id: 'you', label: 'You', show: () => true },
  { id: 'partner', label: 'Your customers', show: () => isMSP.value },
  { id: 'tenant', label: 'Your tenant', show: () => true },
  { id: 'operator', label: 'Platform', show: () => isOperator.value },
];

export const routes = [
  { path: '/console/', component: Home, label: 'Overview', group: 'you', blurb: 'Who you are and where to go.' },
  { path: '/console/session', component: Session, label: 'Session', group: 'you', show: () => !!session.value, blurb: 'What your switch session carries.' },
  { path: '/console/access', component: CheckAccess, label: "Why can't I?", group: 'you', blurb: 'Check a permission and see what decides it.' },
  { path: '/console/customers', component: Customers, label: 'Customers', group: 'partner', blurb: 'The tenants you manage and what each allowed.' },
  { path: '/console/customers/:id', component: (p) => html`<${Relationship} id=${p.id} side="partner" />` },
  { path: '/console/invitations', component: SentInvitations, label: 'Sent invitations', group: () => (isMSP.value ? 'partner' : 'tenant'), blurb: 'Invite a tenant; cancel what is pending.' },
  { path: '/console/templates', component: Templates, label: 'Invitation templates', group: 'partner', blurb: 'Reusable terms and group mappings; invite many at once.' },
  { path: '/console/templates/:id', component: (p) => html`<${TemplatePage} id=${p.id} />` },
  { path: '/console/incoming', component: IncomingInvitations, label: 'Pending invitations', group: 'tenant', blurb: 'Review, narrow and accept — or decline.' },
  { path: '/console/incoming/:id', component: (p) => html`<${ReviewInvitation} id=${p.id} />` },
  { path: '/console/partners', component: Partners, label: 'Partners', group: 'tenant', blurb: 'Who holds which roles where; remove, offboard.' },
  { path: '/console/partners/:id', component: (p) => html`<${Relationship} id=${p.id} side="customer" />` },
  { path: '/console/change-requests', component: ChangeRequestInbox, label: 'Change requests', group: 'tenant', blurb: 'What partners asked for beyond the ceiling: approve or decline.' },
  { path: '/console/audit', component: Audit, label: 'Audit log', group: 'tenant', blurb: 'Every action, newest first; what did a partner do.' },
  { path: '/console/roles', component: Roles, label: 'Roles', group: 'tenant', blurb: 'The role × permission matrix; define a role.' },
  { path: '/console/webhooks', component: Webhooks, label: 'Webhooks', group: 'tenant', blurb: 'Subscribe endpoints; read deliveries.' },
  { path: '/console/webhooks/:id', component: (p) => html`<${Deliveries} id=${p.id} />` },
  { path: '/console/organizations', component: Organizations, label: 'Organisations', group: 'tenant', blurb: 'Create, add, join by owner id, leave.' },
  { path: '/console/organizations/:id', component: (p) => html`<${Organization} id=${p.id} />` },
  { path: '/console/tenants/new', component: NewTenant, label: 'Create tenant', group: 'operator', blurb: 'New tenants and MSP licences.' },
];

// navFor answers the visible navigation: [{label, items: routes}].
export function navFor() {
  const groupOf = (r) => (typeof r.group === 'function' ? r.group() : r.group);
  return groups.filter((g) => g.show()).map((g) => ({
    ...g,
    items: routes.filter((r) => r.label && groupOf(r) === g.id && (!r.show || r.show())),
  })).filter((g) => g.items.length);
}
