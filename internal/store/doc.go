// Package store keeps Switchboard in one DynamoDB table.
//
// Access patterns — every request the system makes, by the store method (or
// operator tool) that makes it, and what it costs. A change that adds a
// query adds a row: TestAccessPatterns fails on an exported method without
// one, and runs every row against DynamoDB Local with a request meter,
// asserting its count. A route's cost is the sum of its rows: declining an
// invitation is GetInvitation + LoadPartition (the caller's permission) +
// UpdateInvitation, a GetItem, a Query and a TransactWriteItems. Capital
// letters in a count are explained in its row. Writes that carry events put
// them in the outbox (not-exists OUTBOX#id) in the same transaction.
//
//	| pattern                                          | method                        | index | key condition                                                   | requests                        |
//	|--------------------------------------------------|-------------------------------|-------|-----------------------------------------------------------------|---------------------------------|
//	| decide (tenant T, home tenant H)                 | LoadPartition                 | table | PK = DEC#T#H (decision records), consistent                     | Query                           |
//	| tenant by id                                     | GetTenant                     | table | PK = TENANT#id, SK = TENANT                                     | GetItem                         |
//	| tenant by domain                                 | TenantByDomain                | table | PK = DOMAIN#d, SK = DOMAIN → tenant by id                       | GetItem ×2                      |
//	| create tenant + domain claim + admins + event    | CreateTenant                  | table | not-exists TENANT#id and DOMAIN#d, + grant records              | TransactWriteItems              |
//	| invitation by id                                 | GetInvitation                 | table | PK = INV#id, SK = INV                                           | GetItem                         |
//	| invitations a tenant sent, newest first          | ListInvitations (outgoing)    | GSI1  | GSI1PK = INVFROM#T (status filtered in code)                    | Query                           |
//	| invitations a tenant received, newest first      | ListInvitations (incoming)    | GSI2  | GSI2PK = INVTO#T (status filtered in code)                      | Query                           |
//	| send an invitation + its event                   | CreateInvitation              | table | not-exists INV#id                                               | TransactWriteItems              |
//	| answer an invitation (decline/cancel/expire)     | UpdateInvitation              | table | INV#id Version = read, + its event                              | TransactWriteItems              |
//	| accept: invitation + relationship + events       | AcceptInvitation              | table | Version = read; not-exists REL#id, AUTHZ#C#P / REL#id; + link   | TransactWriteItems              |
//	| accept from a template: + M mapped assignments   | AcceptWithAssignments         | table | as AcceptInvitation, + M assignments not-exists with grant records | TransactWriteItems              |
//	| save an invitation template + event              | SaveTemplate                  | table | not-exists, or Version = read (TEMPLATES#T / TPL#id)            | TransactWriteItems              |
//	| invitation template by id                        | GetTemplate                   | table | PK = TEMPLATES#T, SK = TPL#id                                   | GetItem                         |
//	| a tenant's invitation templates, by id           | ListTemplates                 | table | PK = TEMPLATES#T, SK begins_with TPL#                           | Query                           |
//	| send from a template + claim + its event         | CreateTemplateInvitation      | table | not-exists INV#id; TPLCLAIM#P#T#C not-exists or names the stale | TransactWriteItems              |
//	| the invitation holding a template's claim        | TemplateClaim                 | table | PK = TPLCLAIM#P#T#C, SK = CLAIM                                 | GetItem                         |
//	| pending invitations past expiry                  | DueInvitations                | GSI3  | GSI3PK = DUE#INV#<shard>, GSI3SK <= now (each shard)            | Query ×4                        |
//	| relationship by id                               | GetRelationship               | table | PK = REL#id → PK = AUTHZ#C#P, SK = REL#id                       | GetItem ×2                      |
//	| relationships of a partner (its customers)       | ListRelationships (partner)   | GSI1  | GSI1PK = PARTNER#P                                              | Query                           |
//	| relationships of a customer (its partners)       | ListRelationships (customer)  | GSI2  | GSI2PK = CUSTOMER#C                                             | Query                           |
//	| terminate / expire / extend / clear relationship | UpdateRelationship            | table | Version = read, + link record, + events                         | TransactWriteItems              |
//	| relationships due (notice, end, sweep)           | DueRelationships              | GSI3  | GSI3PK = DUE#REL#<shard>, GSI3SK <= now (each shard)            | Query ×4                        |
//	| a partner's relationships, filtered in code      | ListRelationshipsWhere (partner) | GSI1  | GSI1PK = PARTNER#P, 100 a request until the page is full (≤ 100) | Query ×R                        |
//	| a customer's relationships, filtered in code     | ListRelationshipsWhere (customer) | GSI2  | GSI2PK = CUSTOMER#C, 100 a request until the page is full (≤ 100) | Query ×R                        |
//	| narrow a relationship + epoch + events           | NarrowRelationship            | table | Version = read, + link record, ADD 1 to DEC#C#P / E, + events   | TransactWriteItems              |
//	| rewrite narrowed assignments (≤ 49)              | ReplaceAssignments            | table | each ASG#id Version = read, + its grant record                  | TransactWriteItems              |
//	| ask a change + pending marker + event            | CreateChangeRequest           | table | not-exists CHANGES#rel / CR#id and CHANGES#rel / PENDING        | TransactWriteItems              |
//	| change request by id                             | GetChangeRequest              | table | PK = CHANGES#rel, SK = CR#id                                    | GetItem                         |
//	| a relationship's change requests, newest first   | ListChangeRequests            | table | PK = CHANGES#rel, SK begins_with CR#                            | Query                           |
//	| decline / expire a change request + event        | UpdateChangeRequest           | table | CR#id Version = read; delete PENDING (holds the id)             | TransactWriteItems              |
//	| approve: change request + relationship + events  | ApproveChangeRequest          | table | CR#id and relationship Version = read; delete PENDING; + link   | TransactWriteItems              |
//	| pending change requests past expiry              | DueChangeRequests             | GSI3  | GSI3PK = DUE#CR#<shard>, GSI3SK <= now (each shard)             | Query ×4                        |
//	| assignments of H's principals in T               | ListAssignments               | table | PK = AUTHZ#T#H, SK begins_with ASG# (relationship filtered)     | Query                           |
//	| assignment by id                                 | GetAssignment                 | table | PK = AUTHZ#T#H, SK = ASG#id                                     | GetItem                         |
//	| create delegated assignment + events             | CreateAssignment (delegated)  | table | ConditionCheck relationship Status = active; not-exists; grant  | TransactWriteItems              |
//	| create delegated assignment at a relationship version | CreateDelegatedAssignment | table | ConditionCheck relationship Status = active AND Version; not-exists; grant | TransactWriteItems |
//	| create native assignment + events                | CreateAssignment (native)     | table | not-exists, + grant record                                      | TransactWriteItems              |
//	| remove one assignment + events                   | RemoveAssignment              | table | exists ASG#id; delete G#id; delegated: ADD 1 to DEC#T#H / E     | TransactWriteItems              |
//	| remove the assignments of an ended relationship  | DeleteAssignments             | table | ASG#id and G#id, B batches of 12 assignments (4 at once)        | BatchWriteItem ×B               |
//	| a principal's grants in a customer               | PrincipalGrants               | GSI4  | GSI4PK = TARGETS#H#principal, begins_with(C#)                   | Query                           |
//	| custom roles H defined in T                      | ListRoles                     | table | PK = AUTHZ#T#H, SK begins_with ROLE#                            | Query                           |
//	| roles every partner defined in T                 | ListPartnerRoles              | GSI2  | GSI2PK = PARTNERROLES#T (partner roles only)                    | Query                           |
//	| save custom role + event                         | SaveRole                      | table | not-exists, or Version = read, + role record                    | TransactWriteItems              |
//	| unsent events, oldest first                      | PendingEvents                 | GSI3  | GSI3PK = OUTBOX#<shard>, GSI3SK <= time (each shard)            | Query ×4                        |
//	| remove sent events                               | DeleteEvents                  | table | PK = OUTBOX#id, B batches of 25                                 | BatchWriteItem ×B               |
//	| dead-letter N events EventBridge refuses         | DeadLetterEvents              | table | exists OUTBOX#id; SET GSI3PK = OUTBOX-DEAD#<shard>              | UpdateItem ×N                   |
//	| dead-lettered events                             | DeadEvents                    | GSI3  | GSI3PK = OUTBOX-DEAD#<shard> (each shard)                       | Query ×4                        |
//	| requeue a dead-lettered event                    | RequeueEvent                  | table | GSI3PK = OUTBOX-DEAD#<shard> → OUTBOX#<shard>                   | UpdateItem                      |
//	| an event that follows no change                  | RecordEvents (one)            | table | not-exists OUTBOX#id                                            | PutItem                         |
//	| events that follow no change, in T transactions  | RecordEvents (many)           | table | not-exists OUTBOX#id, up to 100 a transaction                   | TransactWriteItems ×T           |
//	| count a refusal into its window                  | CountDenial                   | table | DENIALS#T / H#user#operation#reason, st > window start, ADD n   | UpdateItem                      |
//	| a refusal window as stored                       | GetDenials                    | table | PK = DENIALS#T, SK = H#user#operation#reason                    | GetItem                         |
//	| open a refusal window + its AccessDenied         | OpenDenials                   | table | not-exists, or st and n = read                                  | TransactWriteItems              |
//	| refusal windows that ended                       | DueDenials                    | GSI3  | GSI3PK = DUE#DENY#<shard>, GSI3SK <= now (each shard)           | Query ×4                        |
//	| close a refusal window (+ its summary)           | CloseDenials                  | table | st and n = read                                                 | TransactWriteItems              |
//	| record an audit record (idempotent)              | PutAuditRecord                | table | not-exists AUDIT#tenant / time#event                            | PutItem                         |
//	| a tenant's audit log, newest first               | ListAudit                     | table | PK = AUDIT#tenant [SK BETWEEN from AND to] (actor filtered)     | Query                           |
//	| a tenant's webhook subscriptions                 | ListWebhooks                  | table | PK = WEBHOOK#tenant, SK begins_with SUB#                        | Query                           |
//	| subscribe: count + webhook + events              | CreateWebhook                 | table | reads COUNT; count < 25 (ADD 1), or not-exists; not-exists SUB# | GetItem + TransactWriteItems    |
//	| a tenant's first subscription (no count yet)     | CreateWebhook (first)         | table | COUNT absent: counts SUB# items; writes COUNT, not-exists       | GetItem + Query + TransactWriteItems |
//	| unsubscribe: webhook + count + events            | DeleteWebhook                 | table | reads COUNT; exists SUB#id; count > 0 (ADD -1), or not-exists   | GetItem + TransactWriteItems    |
//	| a delivery's outcome on its subscription         | UpdateWebhook                 | table | SUB#id Version = read                                           | PutItem                         |
//	| the failure that disables it + WebhookDisabled   | UpdateWebhook (disabling)     | table | SUB#id Version = read, + its event                              | TransactWriteItems              |
//	| webhook delivery attempts, newest first          | ListDeliveries                | table | PK = DELIVERY#webhook, SK begins_with TRY#                      | Query                           |
//	| was an event delivered to a subscription         | Delivered                     | table | PK = DELIVERY#webhook, SK = DONE#event                          | GetItem                         |
//	| keep a failed delivery attempt                   | RecordDelivery (failed)       | table | not-exists TRY#time#event#n                                     | PutItem                         |
//	| keep a delivery attempt and its DONE marker      | RecordDelivery (delivered)    | table | not-exists TRY#time#event#n; DONE#event                         | TransactWriteItems              |
//	| switch: session + activations + events           | CommitSwitch                  | table | relationships active; DEC#T#H / E = epoch read; activated ASG exist, eligible | TransactWriteItems |
//	| live switch sessions of a relationship           | LiveSessions                  | table | PK = SESSIONS#rel, SK > now                                     | Query                           |
//	| a user's switch targets: P principals (the user and its groups), C customers on the page | SwitchTargets | GSI4 | GSI4PK = TARGETS#H#principal, GSI4SK > cursor; then DEC#C#H per customer; names of the page's tenants | Query ×P + Query ×C + BatchGetItem |
//	| claim an Idempotency-Key                         | Reserve (new)                 | table | not-exists IDEMP#<hash(caller, route, key)>                     | PutItem                         |
//	| an Idempotency-Key claimed already: its answer   | Reserve (taken)               | table | not-exists fails → IDEMP#… read                                 | PutItem + GetItem               |
//	| keep the answer to replay                        | Complete                      | table | IDEMP#…                                                         | PutItem                         |
//	| give a claim back (a retry may cure the failure) | Release                       | table | IDEMP#…                                                         | DeleteItem                      |
//	| organisation with its members                    | GetOrganization               | table | PK = ORG#id, consistent                                         | Query                           |
//	| create organisation + owner member + event       | CreateOrganization            | table | not-exists ORG#id / ORG and ORG#id / MEMBER#tenant              | TransactWriteItems              |
//	| membership change + events                       | SaveMembers                   | table | organisation Version = read; member puts (versioned) / deletes  | TransactWriteItems              |
//	| a tenant's cross-tenant access settings          | ListCrossTenantAccess         | table | PK = XTA#tenant                                                 | Query                           |
//	| save cross-tenant access + events                | SaveCrossTenantAccess         | table | not-exists XTA#tenant / PARTNER#partner                         | TransactWriteItems              |
//	| remove cross-tenant access + event               | DeleteCrossTenantAccess       | table | exists XTA#tenant / PARTNER#partner                             | TransactWriteItems              |
//	| reconcile W decision records (upgrade)           | backfill.Decisions            | table | Scan; item Version = scanned (or item absent)                   | Scan + TransactWriteItems ×W    |
//	| index W partners' roles (upgrade)                | backfill.PartnerRoleIndex     | table | Scan; role Version = scanned                                    | Scan + TransactWriteItems ×W    |
//	| check the table's invariants                     | invariants.Check              | table | Scan                                                            | Scan                            |
//
// (A Scan is one request per 1 MB of table; the counts above are a small
// table's.)
//
// Items
//
//	| item            | PK                | SK            | GSI1PK / GSI1SK               | GSI2PK / GSI2SK               |
//	|-----------------|-------------------|---------------|-------------------------------|-------------------------------|
//	| tenant          | TENANT#id         | TENANT        |                               |                               |
//	| domain claim    | DOMAIN#domain     | DOMAIN        |                               |                               |
//	| invitation      | INV#id            | INV           | INVFROM#from / createdAt#id   | INVTO#to / createdAt#id       |
//	| relationship id | REL#id            | REL           |                               |                               |
//	| relationship    | AUTHZ#C#P         | REL#id        | PARTNER#P / createdAt#id      | CUSTOMER#C / createdAt#id     |
//	| assignment      | AUTHZ#T#H         | ASG#id        |                               |                               |
//	| custom role     | AUTHZ#T#H         | ROLE#id       |                               | PARTNERROLES#T / H#id (H ≠ T) |
//	| decision link   | DEC#C#P           | L#relId       |                               |                               |
//	| decision grant  | DEC#T#H           | G#asgId       |                               |                               |
//	| decision role   | DEC#T#H           | R#roleId      |                               |                               |
//	| activation      | DEC#T#H           | A#asgId#user  | (ttl = until + 1 day)         |                               |
//	| removal epoch   | DEC#T#H           | E             |                               |                               |
//	| refusal window  | DENIALS#T         | H#user#op#reason | GSI3: DUE#DENY#<shard> / windowEnd#sk (ttl)                 |
//	| outbox event    | OUTBOX#id         | OUTBOX        | GSI3: OUTBOX#<shard> / time#id, dead: OUTBOX-DEAD#<shard>    |
//	| audit record    | AUDIT#tenant      | time#event    |                               |                               |
//	| webhook         | WEBHOOK#tenant    | SUB#id        |                               |                               |
//	| webhook count   | WEBHOOK#tenant    | COUNT         |                               |                               |
//	| delivery        | DELIVERY#webhook  | TRY#time#event#n, DONE#event  |               |                               |
//	| switch session  | SESSIONS#rel      | exp#jti       | (ttl = exp)                   |                               |
//	| idempotency     | IDEMP#hash        | IDEMP         | (ttl = 24 h)                  |                               |
//	| organisation    | ORG#id            | ORG           |                               |                               |
//	| member          | ORG#id            | MEMBER#tenant |                               |                               |
//	| cross-tenant access | XTA#tenant    | PARTNER#partner |                             |                               |
//	| invitation template | TEMPLATES#T   | TPL#id        |                               |                               |
//	| template claim  | TPLCLAIM#P#tpl#C  | CLAIM         | (ttl = invitation expiry + 1 day) |                           |
//	| change request  | CHANGES#rel       | CR#id         | GSI3: DUE#CR#<shard> / expiresAt#id (pending) |               |
//	| pending marker  | CHANGES#rel       | PENDING       |                               |                               |
//
// GSI3 (schedule): pending invitations (DUE#INV#<shard> / expiresAt#id) and
// change requests (DUE#CR#<shard> / expiresAt#id),
// relationships (DUE#REL#<shard> / next review#id: a notice, the end, or at
// once while an ended relationship still has assignments), unsent and
// dead-lettered outbox events, and refusal windows. GSI4 (switch targets):
// each delegated assignment under its principal, TARGETS#<partner>#<principal>
// / customer#id, so a user's targets are read from its own partitions (and
// its groups'), however many assignments the partner holds.
//
// The AUTHZ#T#H partition holds the canonical items between customer (or
// tenant) T and home tenant H: the relationships (C = T, P = H), H's
// assignments in T and the custom roles H defined for T. A native principal
// is the case H = T. check-access does not read them: each has a compact
// decision record in DEC#T#H (short attribute names, only what a decision
// uses, no index keys or timestamps) written in the same transaction as the
// canonical item, so one check-access is one Query of a partition whose
// relationship and 20 assignments fit in one 4 KB read unit, however many
// tenants there are. internal/ops/invariants verifies the records mirror the
// items, and internal/ops/backfill makes them agree on an upgraded table.
//
// Every item is a private struct of this package with the attribute names
// spelled out (schema_test.go keeps them so), so the domain renames its
// fields freely. Versions are the store's: a value read carries the version
// it was read at, a write passes it back, and the store rewrites the whole
// item conditioned on that version (a new item: on its absence) and stores
// the next one: racing writers get one winner and ErrConflict for the
// rest. A user's activation of an eligible assignment is a record of its own
// (A#asg#user), so members of a group never end each other's; the removal
// epoch (E) lets a switch condition on "no grant removed since I read"
// with one item instead of one per grant it uses.
package store
