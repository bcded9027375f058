package tenancy

// NarrowedMeanwhile exposes the guard of an assignment made while its
// relationship was narrowed, for a test that stages the race.
var NarrowedMeanwhile = (*Service).narrowedMeanwhile
