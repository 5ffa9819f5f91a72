//! One module per [`Page`](crate::Page).

pub mod compare;
pub mod estimate;
pub mod history;
pub mod prices;
pub mod usage;

pub use compare::ComparePage;
pub use estimate::EstimatePage;
pub use history::HistoryPage;
pub use prices::PricesPage;
pub use usage::UsagePage;
