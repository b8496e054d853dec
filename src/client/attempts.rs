//! Counts the HTTP attempts the SDK made for one call, so a send the SDK retried (with
//! `[run] retries = true`) is known to the ledger as a possible producer-side duplicate: the
//! first attempt may have reached the queue even though its response did not reach us.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::BeforeTransmitInterceptorContextRef;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;

#[derive(Debug, Clone, Default)]
pub(crate) struct AttemptCounter(Arc<AtomicU32>);

impl AttemptCounter {
    pub(crate) fn attempts(&self) -> u32 {
        self.0.load(Ordering::Relaxed)
    }
}

impl Intercept for AttemptCounter {
    fn name(&self) -> &'static str {
        "sqsbench-attempt-counter"
    }

    fn read_before_attempt(
        &self,
        _context: &BeforeTransmitInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        self.0.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }
}

/// Sends a fluent request; with `[run] retries` on, through an `AttemptCounter` (the
/// interceptor is only added then, since it runs on every attempt).
macro_rules! send_counting {
    ($request:expr, $counter:expr, $counting:expr) => {
        if $counting {
            $request
                .customize()
                .interceptor($counter.clone())
                .send()
                .await
        } else {
            $request.send().await
        }
    };
}
pub(crate) use send_counting;
