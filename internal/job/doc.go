// Package job runs persisted work: a Pool leases jobs from a store.Queue
// (the queue's SQL lives in the store implementations), runs the handler
// registered for each job's kind with bounded concurrency, keeps the lease
// alive while the handler runs, and settles the job:
//
//   - handler returns nil: Ack (the job is deleted);
//   - handler returns an error: Nack with exponential backoff; after the
//     job's delivery limit the store moves it to the dead-letter list;
//   - handler returns Permanent(err) or panics with no chance of success:
//     Bury (dead at once) for Permanent, Nack for a panic;
//   - the pool is shutting down: in-flight handlers get ShutdownGrace to
//     finish; a handler still running then has its context cancelled and
//     its job is released (returned without counting the delivery), so
//     no job is ever lost;
//   - the worker dies: the lease expires and another worker takes the job.
//
// Delivery is at least once: handlers must be idempotent.
package job
