//! Every emulated service, and every action of each as an enum variant (`actions!`), with what
//! the pipeline needs to know of one: its service, its wire name, its slot in the request counts,
//! whether the `error_rate` fault applies, and the error that fault answers with. A new action is
//! a new variant; each service dispatches with a `match` that has no fallback arm, so an action
//! without a handler does not compile. Depends on the error vocabulary only.

use crate::error::{Code, Error};

/// Declares an action enum with one variant per wire name, its `ALL` list, `name` and
/// `from_name`, from a single list.
macro_rules! actions {
    ($(#[$doc:meta])* $enum:ident { $($action:ident),* $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub(crate) enum $enum {
            $($action),*
        }

        impl $enum {
            pub(crate) const ALL: &[$enum] = &[$($enum::$action),*];

            /// The action's name on the wire (`SendMessage`).
            pub(crate) fn name(self) -> &'static str {
                match self {
                    $($enum::$action => stringify!($action)),*
                }
            }

            pub(crate) fn from_name(name: &str) -> Option<$enum> {
                Self::ALL.iter().copied().find(|a| a.name() == name)
            }

            /// Its place in `ALL`.
            pub(crate) fn index(self) -> usize {
                self as usize
            }
        }
    };
}
pub(crate) use actions;

/// The services on the emulator's port.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Service {
    Sqs,
    Sns,
    Sts,
    Events,
}

impl Service {
    /// The service a SigV4 credential scope names (`…/us-east-1/sqs/aws4_request`).
    pub(crate) fn from_signing_name(name: &str) -> Option<Service> {
        match name {
            "sqs" => Some(Service::Sqs),
            "sns" => Some(Service::Sns),
            "sts" => Some(Service::Sts),
            "events" => Some(Service::Events),
            _ => None,
        }
    }

    /// The namespace of the service's query-protocol XML.
    pub(crate) fn xml_namespace(self) -> &'static str {
        match self {
            Service::Sqs => "http://queue.amazonaws.com/doc/2012-11-05/",
            Service::Sns => "http://sns.amazonaws.com/doc/2010-03-31/",
            Service::Sts => "https://sts.amazonaws.com/doc/2011-06-15/",
            // EventBridge speaks AWS JSON 1.1 only; never written.
            Service::Events => "http://events.amazonaws.com/doc/2015-10-07/",
        }
    }

    /// Whether the service's `<ErrorResponse>` has an empty `<Detail/>` (SQS's does).
    pub(crate) fn error_detail(self) -> bool {
        self == Service::Sqs
    }
}

/// One action of one service, as the pipeline runs it.
pub(crate) trait ServiceAction: Copy {
    /// The service's table of error codes.
    type Code: Code;
    const SERVICE: Service;

    fn name(self) -> &'static str;
    /// Its slot in the emulator's request counts (`stats::RequestTally`): each service's
    /// actions after the previous service's.
    fn slot(self) -> usize;
    /// Whether the `error_rate` fault applies: only to actions that move messages.
    fn faultable(self) -> bool;
    /// What the `error_rate` fault answers, as the service words an internal error.
    fn injected_error() -> Error<Self::Code>;
}
