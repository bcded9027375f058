// Package store keeps Switchboard in one DynamoDB table.
//
// Access patterns — every request the system makes. A change that adds a
// query adds a row here.
//
//	| pattern                                   | index | key condition                                        | operation                    |
//	|-------------------------------------------|-------|------------------------------------------------------|------------------------------|
//	| decide (tenant T, home tenant H)          | table | PK = DEC#T#H (decision records)                      | Query (consistent, 1 request)|
//	| tenant by id                              | table | PK = TENANT#id, SK = TENANT                          | GetItem                      |
//	| tenant by domain                          | table | PK = DOMAIN#d, SK = DOMAIN  → tenant by id           | GetItem ×2                   |
//	| create tenant + domain claim + admins     | table | not-exists on TENANT#id and DOMAIN#d                 | TransactWriteItems           |
//	| invitation by id                          | table | PK = INV#id, SK = INV                                | GetItem                      |
//	| invitations a tenant sent, newest first   | GSI1  | GSI1PK = INVFROM#T (status as a filter)              | Query                        |
//	| invitations a tenant received             | GSI2  | GSI2PK = INVTO#T (status as a filter)                | Query                        |
//	| answer an invitation (decline/cancel/expire) | table | Version = read version                            | PutItem (conditional)        |
//	| accept: invitation + relationship         | table | Version check + not-exists on REL#id and AUTHZ…REL#, + DEC link | TransactWriteItems |
//	| relationship by id                        | table | PK = REL#id → PK = AUTHZ#C#P, SK = REL#id            | GetItem ×2                   |
//	| relationships of a partner (its customers)| GSI1  | GSI1PK = PARTNER#P                                   | Query                        |
//	| relationships of a customer (its partners)| GSI2  | GSI2PK = CUSTOMER#C                                  | Query                        |
//	| terminate / expire / extend relationship  | table | Version = read version, + DEC link record            | TransactWriteItems           |
//	| assignments of H's principals in T        | table | PK = AUTHZ#T#H, SK begins_with ASG# (filter rel id)  | Query                        |
//	| create delegated assignment               | table | ConditionCheck relationship Status = active + Put + DEC grant | TransactWriteItems  |
//	| create native assignment                  | table | not-exists, + DEC grant record                       | TransactWriteItems           |
//	| remove one delegated assignment + events  | table | exists ASG#id; delete G#id; ADD 1 to DEC#T#H / E     | TransactWriteItems           |
//	| remove assignments (an ended relationship)| table | AUTHZ#T#H / ASG#id and DEC#T#H / G#id                | BatchWriteItem (≤ 25, 4 at once) |
//	| a principal's grants in a customer        | GSI4  | GSI4PK = TARGETS#H#principal, begins_with(C#)        | Query (the limits per principal) |
//	| custom roles H defined in T               | table | PK = AUTHZ#T#H, SK begins_with ROLE#                 | Query                        |
//	| roles every partner defined in T          | GSI2  | GSI2PK = PARTNERROLES#T (partner roles only)         | Query                        |
//	| save custom role                          | table | not-exists, or Version = read version, + DEC role    | TransactWriteItems           |
//	| a change with its events (outbox)         | table | the change's conditions + not-exists OUTBOX#id       | TransactWriteItems           |
//	| unsent events, oldest first               | GSI3  | GSI3PK = OUTBOX#<shard>, GSI3SK <= time (each shard) | Query ×4                     |
//	| remove sent events                        | table | PK = OUTBOX#id                                       | BatchWriteItem (≤ 25)        |
//	| dead-letter an event EventBridge refuses  | table | exists OUTBOX#id; SET GSI3PK = OUTBOX-DEAD#<shard>   | UpdateItem                   |
//	| dead-lettered events; requeue one         | GSI3  | GSI3PK = OUTBOX-DEAD#<shard> (each shard)            | Query ×4; UpdateItem         |
//	| count a refusal into its window           | table | DENIALS#T / H#user#operation#reason, st > window start | UpdateItem (conditional, ADD n) |
//	| open a refusal window + its AccessDenied  | table | not-exists, or st and n = read                       | TransactWriteItems           |
//	| refusal windows that ended                | GSI3  | GSI3PK = DUE#DENY#<shard>, GSI3SK <= now             | Query ×4                     |
//	| pending invitations past expiry           | GSI3  | GSI3PK = DUE#INV#<shard>, GSI3SK <= now              | Query ×4                     |
//	| relationships due (notice, end, sweep)    | GSI3  | GSI3PK = DUE#REL#<shard>, GSI3SK <= now              | Query ×4                     |
//	| record an audit record (idempotent)       | table | not-exists AUDIT#tenant / time#event                 | PutItem (conditional)        |
//	| a tenant's audit log, newest first        | table | PK = AUDIT#tenant [SK BETWEEN from AND to]           | Query (actor filter in code) |
//	| a tenant's webhook subscriptions          | table | PK = WEBHOOK#tenant, SK begins_with SUB#             | Query                        |
//	| a tenant's webhook count                  | table | PK = WEBHOOK#tenant, SK = COUNT (none: Query SUB#)   | GetItem                      |
//	| subscribe: count + webhook + events       | table | count < 25 (ADD 1), or not-exists; not-exists SUB#id | TransactWriteItems           |
//	| unsubscribe: webhook + count + events     | table | exists SUB#id; count > 0 (ADD -1), or not-exists     | TransactWriteItems           |
//	| webhook delivery attempts, newest first   | table | PK = DELIVERY#webhook, SK begins_with TRY#           | Query                        |
//	| was an event delivered to a subscription  | table | PK = DELIVERY#webhook, SK = DONE#event               | GetItem                      |
//	| switch: session + activations + events    | table | relationships active; DEC#T#H / E = epoch read; each activated ASG exists, eligible | TransactWriteItems (size independent of the grants used) |
//	| live switch sessions of a relationship    | table | PK = SESSIONS#rel, SK > now                          | Query (consistent)           |
//	| a user's switch targets, by customer      | GSI4  | GSI4PK = TARGETS#H#user:u and each TARGETS#H#group:g, GSI4SK > cursor | Query per principal, then Query DEC#C#H per customer of the page and one BatchGetItem of their names |
//	| claim an Idempotency-Key / replay answer  | table | not-exists IDEMP#<hash(caller, route, key)>          | PutItem (conditional), GetItem |
//	| organisation with its members             | table | PK = ORG#id                                          | Query (consistent)           |
//	| create organisation + owner member        | table | not-exists ORG#id/ORG and ORG#id/MEMBER#tenant       | TransactWriteItems           |
//	| membership change                         | table | organisation Version = read version + member puts/deletes | TransactWriteItems      |
//	| a tenant's cross-tenant access settings   | table | PK = XTA#tenant                                      | Query                        |
//	| save / remove cross-tenant access         | table | not-exists / exists XTA#tenant / PARTNER#partner     | TransactWriteItems           |
//	| reconcile decision records (upgrade)      | table | Scan; item Version = scanned (or item absent)        | TransactWriteItems per record|
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
//
// GSI3 (schedule): pending invitations (DUE#INV#<shard> / expiresAt#id),
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
// tenants there are. CheckInvariants verifies the records mirror the items.
//
// Every state change rewrites the whole item with PutItem conditioned on the
// version it read: racing writers get one winner and ErrConflict for the
// rest. A user's activation of an eligible assignment is a record of its own
// (A#asg#user), so members of a group never end each other's; the removal
// epoch (E) lets a switch condition on "no grant removed since I read"
// with one item instead of one per grant it uses.
package store
