// Several tests measure time against budgets of tens of milliseconds; on two cores, a model being retrained in a
// parallel test class would make them flaky. The whole assembly runs in well under a minute one class at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
