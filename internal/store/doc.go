// Package store keeps Switchboard in one DynamoDB table.
//
// Access patterns — every request the system makes. A change that adds a
// query adds a row here.
//
//	| pattern                                   | index | key condition                                        | operation                    |
//	|-------------------------------------------|-------|------------------------------------------------------|------------------------------|
//	| decide (tenant T, home tenant H)          | table | PK = AUTHZ#T#H                                       | Query (consistent, 1 request)|
//	| tenant by id                              | table | PK = TENANT#id, SK = TENANT                          | GetItem                      |
//	| tenant by domain                          | table | PK = DOMAIN#d, SK = DOMAIN  → tenant by id           | GetItem ×2                   |
//	| create tenant + domain claim + admins     | table | not-exists on TENANT#id and DOMAIN#d                 | TransactWriteItems           |
//	| invitation by id                          | table | PK = INV#id, SK = INV                                | GetItem                      |
//	| invitations a tenant sent, newest first   | GSI1  | GSI1PK = INVFROM#T (status as a filter)              | Query                        |
//	| invitations a tenant received             | GSI2  | GSI2PK = INVTO#T (status as a filter)                | Query                        |
//	| answer an invitation (decline/cancel/expire) | table | Version = read version                            | PutItem (conditional)        |
//	| accept: invitation + relationship         | table | Version check + not-exists on REL#id and AUTHZ…REL#  | TransactWriteItems           |
//	| relationship by id                        | table | PK = REL#id → PK = AUTHZ#C#P, SK = REL#id            | GetItem ×2                   |
//	| relationships of a partner (its customers)| GSI1  | GSI1PK = PARTNER#P                                   | Query                        |
//	| relationships of a customer (its partners)| GSI2  | GSI2PK = CUSTOMER#C                                  | Query                        |
//	| terminate / expire / extend relationship  | table | Version = read version                               | PutItem (conditional)        |
//	| assignments of H's principals in T        | table | PK = AUTHZ#T#H, SK begins_with ASG# (filter rel id)  | Query                        |
//	| create delegated assignment               | table | ConditionCheck relationship Status = active + Put    | TransactWriteItems           |
//	| create native assignment                  | table | not-exists                                           | PutItem                      |
//	| remove assignments                        | table | PK = AUTHZ#T#H, SK = ASG#id                          | BatchWriteItem (≤ 25)        |
//	| custom roles H defined in T               | table | PK = AUTHZ#T#H, SK begins_with ROLE#                 | Query                        |
//	| save custom role                          | table | not-exists, or Version = read version                | PutItem (conditional)        |
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
//	| custom role     | AUTHZ#T#H         | ROLE#id       |                               |                               |
//
// The AUTHZ#T#H partition holds everything that decides whether a principal of
// home tenant H may act in tenant T: the relationships between them (C = T,
// P = H), H's assignments in T and the custom roles H defined for T. A native
// principal is the case H = T. So one check-access is one Query, however many
// tenants there are.
//
// GSI keys are written when an item is created and never change, and every
// state change rewrites the whole item with PutItem conditioned on the version
// it read: racing writers get one winner and ErrConflict for the rest.
package store
