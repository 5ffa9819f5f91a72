//! Budgets: a monthly (and optional daily) limit, alerts at percentages of it, month-to-date
//! spend, the month-end projection, and what an estimate would do to the month.
//!
//! The core never reads a clock: "today" is passed in, and every record dated after it is
//! left out, so a status can be worked out as of any past day. Months are calendar months of
//! UTC days, like the records' dates.
//!
//! # Arithmetic
//!
//! Amounts stay exact [`Usd`]. An alert at `p` % of a limit `L` is set off when the spend `S`
//! reaches it, compared without division (`100 × S ≥ p × L`). The month-end projection is
//! linear: `S × days in month ÷ days elapsed`, where today counts as a whole day elapsed,
//! rounded half away from zero to the femto-dollar (the only rounding here). Percentages
//! shown are rounded half away from zero to two decimals (`"81.25"`).

use serde::{Deserialize, Serialize};

use crate::date::Date;
use crate::error::{Error, ErrorKind, Result};
use crate::money::Usd;
use crate::record::PricedRecord;
use crate::report::{date_of_days, days_in_month, ratio_text, MAX_ESTIMATE_FEMTO};

/// The largest limit accepted: a billion dollars. Anything larger is a typing mistake.
const MAX_LIMIT_FEMTO: i128 = 1_000_000_000 * 1_000_000_000_000_000;

/// The largest alert threshold accepted, in percent.
const MAX_ALERT_PERCENT: u32 = 1000;

fn default_alerts() -> Vec<u32> {
    vec![80, 100]
}

/// A spending limit and the alerts that warn of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Budget {
    /// The most to spend in a calendar month.
    pub monthly_limit_usd: Usd,
    /// The most to spend in a day, if limited.
    #[serde(default)]
    pub daily_limit_usd: Option<Usd>,
    /// Alert thresholds, in whole percent of a limit (80 and 100 by default). Each applies to
    /// the monthly limit and to the daily limit when there is one.
    #[serde(default = "default_alerts")]
    pub alert_percents: Vec<u32>,
}

impl Budget {
    /// A monthly limit with the default alerts (80 % and 100 %) and no daily limit.
    pub fn monthly(limit: Usd) -> Budget {
        Budget {
            monthly_limit_usd: limit,
            daily_limit_usd: None,
            alert_percents: default_alerts(),
        }
    }

    /// Checks the limits and thresholds.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidRequest`] naming the field: a limit that is zero, negative or above
    /// a billion dollars; a daily limit above the monthly one; a threshold of 0 % or above
    /// 1,000 %, or given twice.
    pub fn validate(&self) -> Result<()> {
        let check = |limit: Usd, field: &str| -> Result<()> {
            if limit <= Usd::ZERO {
                return Err(Error::new(
                    ErrorKind::InvalidRequest,
                    format!("a limit must be above zero, got {limit}"),
                )
                .at(field));
            }
            if limit.femto() > MAX_LIMIT_FEMTO {
                return Err(Error::new(
                    ErrorKind::InvalidRequest,
                    format!(
                        "a limit of ${limit} is more than the $1,000,000,000 this tool accepts"
                    ),
                )
                .at(field));
            }
            Ok(())
        };
        check(self.monthly_limit_usd, "monthly_limit_usd")?;
        if let Some(daily) = self.daily_limit_usd {
            check(daily, "daily_limit_usd")?;
            if daily > self.monthly_limit_usd {
                return Err(Error::new(
                    ErrorKind::InvalidRequest,
                    format!(
                        "the daily limit (${daily}) is above the monthly limit (${})",
                        self.monthly_limit_usd
                    ),
                )
                .at("daily_limit_usd"));
            }
        }
        for (i, &percent) in self.alert_percents.iter().enumerate() {
            if percent == 0 || percent > MAX_ALERT_PERCENT {
                return Err(Error::new(
                    ErrorKind::InvalidRequest,
                    format!("an alert threshold must be 1 to {MAX_ALERT_PERCENT} %, got {percent}"),
                )
                .at(format!("alert_percents[{i}]")));
            }
            if self.alert_percents[..i].contains(&percent) {
                return Err(Error::new(
                    ErrorKind::InvalidRequest,
                    format!("the alert at {percent} % is given twice"),
                )
                .at(format!("alert_percents[{i}]")));
            }
        }
        Ok(())
    }

    fn sorted_alerts(&self) -> Vec<u32> {
        let mut alerts = self.alert_percents.clone();
        alerts.sort_unstable();
        alerts
    }
}

/// Which limit an alert is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LimitScope {
    /// The monthly limit, against month-to-date spend.
    Monthly,
    /// The daily limit, against today's spend.
    Daily,
}

/// An alert that has been set off.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Alert {
    /// The limit it is about.
    pub scope: LimitScope,
    /// The threshold, in percent of the limit.
    pub percent: u32,
    /// The limit.
    pub limit_usd: Usd,
    /// `percent` of the limit, rounded half away from zero to the femto-dollar (for display;
    /// the comparison itself is exact).
    pub threshold_usd: Usd,
    /// The spend that set it off: month-to-date for a monthly alert, today's for a daily one.
    pub spent_usd: Usd,
    /// The day the spend reached the threshold: the first day of the month whose cumulative
    /// spend reached it (a monthly alert), or today (a daily alert).
    pub crossed_on: Date,
}

/// Where spending stands. Ordered: `Under < Warning < Over`, so the worst of several is the
/// largest; a command can map it to its exit status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BudgetState {
    /// No alert set off.
    Under,
    /// An alert set off, but no limit reached.
    Warning,
    /// A limit reached or passed: the month's, or today's.
    Over,
}

impl BudgetState {
    /// The snake_case name the exports use.
    pub fn as_str(self) -> &'static str {
        match self {
            BudgetState::Under => "under",
            BudgetState::Warning => "warning",
            BudgetState::Over => "over",
        }
    }
}

/// Spending against a budget as of a day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BudgetStatus {
    /// The budget.
    pub budget: Budget,
    /// The day the status is as of.
    pub today: Date,
    /// The calendar month of `today`, `2026-11`.
    pub month: String,
    /// Spend from the first of the month to today, both included.
    pub month_to_date_usd: Usd,
    /// Spend today.
    pub today_usd: Usd,
    /// `monthly limit − month to date` (negative once the limit is passed).
    pub remaining_usd: Usd,
    /// Month to date in percent of the monthly limit, two decimals (`"81.25"`).
    pub percent_of_monthly_limit: String,
    /// Days of the month up to today, today included.
    pub days_elapsed: u32,
    /// Days in the month.
    pub days_in_month: u32,
    /// The month-end projection: `month to date × days in month ÷ days elapsed`, rounded half
    /// away from zero to the femto-dollar.
    pub projected_month_usd: Usd,
    /// The projection in percent of the monthly limit, two decimals.
    pub projected_percent_of_monthly_limit: String,
    /// Alerts set off: monthly ones by threshold, then daily ones by threshold.
    pub alerts: Vec<Alert>,
    /// Days of the month so far whose spend reached the daily limit, in order.
    pub days_over_daily_limit: Vec<Date>,
    /// Where spending stands.
    pub state: BudgetState,
    /// Records in the month up to today.
    pub records_counted: u64,
    /// Records of other months, not counted.
    pub records_outside_month: u64,
    /// Records later in the month than today, not counted.
    pub records_after_today: u64,
}

/// What running an estimated job now would do to the month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EstimateImpact {
    /// The estimate's expected cost.
    pub expected_usd: Usd,
    /// Month to date plus the estimate.
    pub month_after_usd: Usd,
    /// That, in percent of the monthly limit, two decimals.
    pub percent_of_monthly_limit_after: String,
    /// `monthly limit − month after` (negative: the estimate passes the limit).
    pub remaining_after_usd: Usd,
    /// Today's spend plus the estimate (the job is assumed to run today).
    pub today_after_usd: Usd,
    /// Alerts the estimate would newly set off (already set off ones are not repeated), each
    /// with `crossed_on` today.
    pub new_alerts: Vec<Alert>,
    /// Where spending would stand.
    pub state_after: BudgetState,
}

/// Builds a [`BudgetStatus`] from a stream of records, in constant memory.
///
/// ```
/// use cost_core::{Budget, BudgetState, BudgetTracker, Date, Usd};
///
/// let budget = Budget::monthly("50".parse::<Usd>().unwrap());
/// let today: Date = "2026-11-15".parse().unwrap();
/// let tracker = BudgetTracker::new(budget, today).unwrap();
/// let status = tracker.status();
/// assert_eq!(status.state, BudgetState::Under);
/// assert_eq!(status.days_in_month, 30);
/// ```
#[derive(Debug, Clone)]
pub struct BudgetTracker {
    budget: Budget,
    today: Date,
    /// Days since the epoch of the first of today's month.
    month_start: i32,
    /// Spend per day of the month, the 1st at index 0.
    days: [Usd; 31],
    records_counted: u64,
    records_outside_month: u64,
    records_after_today: u64,
}

impl BudgetTracker {
    /// A tracker for `budget` as of `today`.
    ///
    /// # Errors
    ///
    /// As [`Budget::validate`].
    pub fn new(budget: Budget, today: Date) -> Result<BudgetTracker> {
        budget.validate()?;
        let (year, month, _) = today.ymd();
        let month_start = Date::from_ymd(year, month, 1)
            .expect("the first of a valid date's month exists")
            .days_since_epoch();
        Ok(BudgetTracker {
            budget,
            today,
            month_start,
            days: [Usd::ZERO; 31],
            records_counted: 0,
            records_outside_month: 0,
            records_after_today: 0,
        })
    }

    /// Counts one record.
    pub fn add(&mut self, record: &PricedRecord) {
        let day = record.at.days_since_epoch();
        if record.at > self.today {
            let in_month = day - self.month_start < days_in_month(self.today) as i32;
            if in_month {
                self.records_after_today += 1;
            } else {
                self.records_outside_month += 1;
            }
            return;
        }
        if day < self.month_start {
            self.records_outside_month += 1;
            return;
        }
        self.records_counted += 1;
        self.days[(day - self.month_start) as usize] += record.cost_usd;
    }

    /// The status as of today.
    pub fn status(&self) -> BudgetStatus {
        let budget = &self.budget;
        let monthly = budget.monthly_limit_usd;
        let days_elapsed = (self.today.days_since_epoch() - self.month_start + 1) as u32;
        let days_in_month = days_in_month(self.today);
        let spent_days = &self.days[..days_elapsed as usize];
        let month_to_date: Usd = spent_days.iter().copied().sum();
        let today_usd = spent_days[days_elapsed as usize - 1];
        let projected = Usd::from_femto(div_round_half_away(
            month_to_date.femto() * i128::from(days_in_month),
            i128::from(days_elapsed),
        ));
        let alerts_sorted = budget.sorted_alerts();
        let mut alerts = Vec::new();
        for &percent in &alerts_sorted {
            if !reached(month_to_date, monthly, percent) {
                continue;
            }
            let mut cumulative = Usd::ZERO;
            let crossed = spent_days
                .iter()
                .position(|&spent| {
                    cumulative += spent;
                    reached(cumulative, monthly, percent)
                })
                .expect("the month's total reaches the threshold");
            alerts.push(alert(
                LimitScope::Monthly,
                percent,
                monthly,
                month_to_date,
                date_of_days(self.month_start + crossed as i32),
            ));
        }
        let mut days_over_daily_limit = Vec::new();
        if let Some(daily) = budget.daily_limit_usd {
            for &percent in &alerts_sorted {
                if reached(today_usd, daily, percent) {
                    alerts.push(alert(
                        LimitScope::Daily,
                        percent,
                        daily,
                        today_usd,
                        self.today,
                    ));
                }
            }
            days_over_daily_limit = spent_days
                .iter()
                .enumerate()
                .filter(|(_, &spent)| reached(spent, daily, 100))
                .map(|(i, _)| date_of_days(self.month_start + i as i32))
                .collect();
        }
        let state = state_of(budget, month_to_date, today_usd);
        let (year, month, _) = self.today.ymd();
        BudgetStatus {
            budget: budget.clone(),
            today: self.today,
            month: format!("{year:04}-{month:02}"),
            month_to_date_usd: month_to_date,
            today_usd,
            remaining_usd: monthly - month_to_date,
            percent_of_monthly_limit: percent_text(month_to_date, monthly),
            days_elapsed,
            days_in_month,
            projected_month_usd: projected,
            projected_percent_of_monthly_limit: percent_text(projected, monthly),
            alerts,
            days_over_daily_limit,
            state,
            records_counted: self.records_counted,
            records_outside_month: self.records_outside_month,
            records_after_today: self.records_after_today,
        }
    }
}

impl BudgetStatus {
    /// Builds the status of `records` in one call (see [`BudgetTracker`] to stream).
    ///
    /// # Errors
    ///
    /// As [`Budget::validate`].
    pub fn of<'a>(
        budget: Budget,
        today: Date,
        records: impl IntoIterator<Item = &'a PricedRecord>,
    ) -> Result<BudgetStatus> {
        let mut tracker = BudgetTracker::new(budget, today)?;
        for record in records {
            tracker.add(record);
        }
        Ok(tracker.status())
    }

    /// How far a job with this expected cost, run today, would take the month, and which
    /// alerts it would set off.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidRequest`] for a negative expected cost, or one above ten
    /// quadrillion dollars.
    pub fn with_estimate(&self, expected_usd: Usd) -> Result<EstimateImpact> {
        if expected_usd < Usd::ZERO {
            return Err(Error::new(
                ErrorKind::InvalidRequest,
                format!("an expected cost cannot be negative, got {expected_usd}"),
            )
            .at("expected_usd"));
        }
        if expected_usd.femto() > MAX_ESTIMATE_FEMTO {
            return Err(Error::new(
                ErrorKind::InvalidRequest,
                format!(
                    "an expected cost of ${expected_usd} is more than the \
                     $10,000,000,000,000,000 this tool accepts"
                ),
            )
            .at("expected_usd"));
        }
        let budget = &self.budget;
        let monthly = budget.monthly_limit_usd;
        let month_after = self.month_to_date_usd + expected_usd;
        let today_after = self.today_usd + expected_usd;
        let mut new_alerts = Vec::new();
        let alerts_sorted = budget.sorted_alerts();
        for &percent in &alerts_sorted {
            if !reached(self.month_to_date_usd, monthly, percent)
                && reached(month_after, monthly, percent)
            {
                new_alerts.push(alert(
                    LimitScope::Monthly,
                    percent,
                    monthly,
                    month_after,
                    self.today,
                ));
            }
        }
        if let Some(daily) = budget.daily_limit_usd {
            for &percent in &alerts_sorted {
                if !reached(self.today_usd, daily, percent) && reached(today_after, daily, percent)
                {
                    new_alerts.push(alert(
                        LimitScope::Daily,
                        percent,
                        daily,
                        today_after,
                        self.today,
                    ));
                }
            }
        }
        Ok(EstimateImpact {
            expected_usd,
            month_after_usd: month_after,
            percent_of_monthly_limit_after: percent_text(month_after, monthly),
            remaining_after_usd: monthly - month_after,
            today_after_usd: today_after,
            new_alerts,
            state_after: state_of(budget, month_after, today_after),
        })
    }
}

/// Whether `spent` has reached `percent` % of `limit`: `100 × spent ≥ percent × limit`.
fn reached(spent: Usd, limit: Usd, percent: u32) -> bool {
    spent.femto() * 100 >= limit.femto() * i128::from(percent)
}

fn alert(scope: LimitScope, percent: u32, limit: Usd, spent: Usd, crossed_on: Date) -> Alert {
    Alert {
        scope,
        percent,
        limit_usd: limit,
        threshold_usd: Usd::from_femto(div_round_half_away(
            limit.femto() * i128::from(percent),
            100,
        )),
        spent_usd: spent,
        crossed_on,
    }
}

fn state_of(budget: &Budget, month: Usd, today: Usd) -> BudgetState {
    let over = reached(month, budget.monthly_limit_usd, 100)
        || budget
            .daily_limit_usd
            .is_some_and(|daily| reached(today, daily, 100));
    if over {
        return BudgetState::Over;
    }
    let warned = budget.alert_percents.iter().any(|&p| {
        reached(month, budget.monthly_limit_usd, p)
            || budget
                .daily_limit_usd
                .is_some_and(|daily| reached(today, daily, p))
    });
    if warned {
        BudgetState::Warning
    } else {
        BudgetState::Under
    }
}

fn percent_text(spent: Usd, limit: Usd) -> String {
    ratio_text(spent, limit, 100, 2).unwrap_or_default()
}

fn div_round_half_away(value: i128, divisor: i128) -> i128 {
    let quotient = value / divisor;
    let remainder = value % divisor;
    if remainder.abs() * 2 >= divisor {
        quotient + value.signum()
    } else {
        quotient
    }
}
