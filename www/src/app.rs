//! The app shell: the [`Page`] enum that owns every path, the navigation, the notices, and
//! the router.

use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes, A};
use leptos_router::StaticSegment;

use crate::pages::EstimatePage;
use crate::state::{use_app, AppState};
use crate::storage::Store;

/// The pages, each owning its path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Page {
    /// Drop a book, see every model's cost (home).
    Estimate,
    /// Models side by side for one request shape.
    Compare,
    /// Priced API responses and logs, against a budget.
    Usage,
    /// Saved estimates.
    History,
    /// The catalog, the user's models and imports.
    Prices,
}

impl Page {
    /// Every page, in navigation order.
    pub const ALL: [Page; 5] = [
        Page::Estimate,
        Page::Compare,
        Page::Usage,
        Page::History,
        Page::Prices,
    ];

    /// The path's segment (`""` for home).
    pub const fn segment(self) -> &'static str {
        match self {
            Page::Estimate => "",
            Page::Compare => "compare",
            Page::Usage => "usage",
            Page::History => "history",
            Page::Prices => "prices",
        }
    }

    /// The path (`/compare`).
    pub fn path(self) -> String {
        format!("/{}", self.segment())
    }

    /// Its name in the navigation.
    pub const fn title(self) -> &'static str {
        match self {
            Page::Estimate => "Estimate",
            Page::Compare => "Compare",
            Page::Usage => "Usage",
            Page::History => "History",
            Page::Prices => "Prices",
        }
    }
}

/// The whole app: state from localStorage, the navigation and the routed pages.
#[component]
pub fn App() -> impl IntoView {
    let app = AppState::new(Store::detect());
    provide_context(app);
    view! {
        <Router>
            <header class="top">
                <a class="brand" href="/">"llmcost"</a>
                <nav aria-label="Pages">
                    {Page::ALL
                        .into_iter()
                        .map(|page| view! { <A href=page.path() exact=true>{page.title()}</A> })
                        .collect_view()}
                </nav>
            </header>
            <StorageBanner />
            <NoticeBar />
            <main id="main">
                <Routes fallback=|| view! { <p>"This page does not exist. "<a href="/">"Go to Estimate"</a></p> }>
                    <Route path=StaticSegment(Page::Estimate.segment()) view=|| view! { <div data-page="Estimate"><EstimatePage /></div> } />
                    <Route path=StaticSegment(Page::Compare.segment()) view=routes::compare() />
                    <Route path=StaticSegment(Page::Usage.segment()) view=routes::usage() />
                    <Route path=StaticSegment(Page::History.segment()) view=routes::history() />
                    <Route path=StaticSegment(Page::Prices.segment()) view=routes::prices() />
                </Routes>
            </main>
            <footer class="foot">
                "Prices from the llmcost catalog (dated and sourced per model, see Prices). Everything is computed in this browser; nothing is sent anywhere."
            </footer>
        </Router>
    }
}

/// The views of the pages other than Estimate.
///
/// With the `split` feature (the app's build), each is a lazy route: its code is a separate
/// WebAssembly chunk, fetched the first time the page is opened, so the first visit downloads
/// only the Estimate page (`cargo xtask` splits the module; see ARCHITECTURE.md). Without it
/// (component tests, `cargo check`), they are plain components. Each page is drawn in a
/// `<div data-page="Title">`, present once the page (and its chunk) is in: what the
/// end-to-end tests wait for after following a link.
#[cfg(feature = "split")]
mod routes {
    use leptos::prelude::*;
    use leptos::wasm_split::SplitLoaderError;
    use leptos_router::{Lazy, LazyRoute};

    /// Shown instead of a page whose chunk could not be fetched (the server stopped, the
    /// network dropped): the rest of the app keeps working, and opening the page again
    /// fetches it again.
    fn not_loaded(page: &'static str) -> AnyView {
        view! {
            <p class="banner warn" role="alert" data-testid="page-not-loaded">
                {format!("The {page} page could not be loaded from this site (is it still running?). Open it again to retry, or reload.")}
            </p>
        }
        .into_any()
    }

    // Leptos's `#[lazy_route]` panics when a chunk fails to load, which with `panic = "abort"`
    // ends the whole app: these routes use wasm-split's fallible split points instead.
    macro_rules! lazy_pages {
        ($($route:ident $fn_name:ident $split:ident => $page:ident $title:literal;)*) => {$(
            #[doc = concat!("The lazily loaded [`", stringify!($page), "`](crate::pages::", stringify!($page), ").")]
            pub struct $route;

            #[leptos::wasm_split::wasm_split($split, wasm_split_path = ::leptos::wasm_split, fallible)]
            fn $split() -> Result<AnyView, SplitLoaderError> {
                Ok(view! { <div data-page=$title>{crate::pages::$page()}</div> }.into_any())
            }

            impl LazyRoute for $route {
                fn data() -> Self {
                    $route
                }

                async fn view(_this: Self) -> AnyView {
                    $split().await.unwrap_or_else(|_| not_loaded($title))
                }
            }

            pub fn $fn_name() -> Lazy<$route> {
                Lazy::new()
            }
        )*};
    }

    lazy_pages! {
        CompareRoute compare compare_route => ComparePage "Compare";
        UsageRoute usage usage_route => UsagePage "Usage";
        HistoryRoute history history_route => HistoryPage "History";
        PricesRoute prices prices_route => PricesPage "Prices";
    }
}

#[cfg(not(feature = "split"))]
mod routes {
    use crate::pages::{ComparePage, HistoryPage, PricesPage, UsagePage};
    use leptos::prelude::*;

    pub fn compare() -> impl Fn() -> AnyView + Clone + Send + 'static {
        || view! { <div data-page="Compare">{ComparePage()}</div> }.into_any()
    }
    pub fn usage() -> impl Fn() -> AnyView + Clone + Send + 'static {
        || view! { <div data-page="Usage">{UsagePage()}</div> }.into_any()
    }
    pub fn history() -> impl Fn() -> AnyView + Clone + Send + 'static {
        || view! { <div data-page="History">{HistoryPage()}</div> }.into_any()
    }
    pub fn prices() -> impl Fn() -> AnyView + Clone + Send + 'static {
        || view! { <div data-page="Prices">{PricesPage()}</div> }.into_any()
    }
}

/// Says when history is off, and which saved entries could not be read.
#[component]
fn StorageBanner() -> impl IntoView {
    let app = use_app();
    view! {
        <Show when=move || !app.storage_on.get()>
            <p class="banner warn" role="status">
                "Browser storage is unavailable (private mode or disabled), so history is off. Everything else works."
            </p>
        </Show>
        <Show when=move || app.problems.with(|p| !p.is_empty())>
            <div class="banner warn" role="status" data-testid="storage-problems">
                <p>
                    {move || {
                        let n = app.problems.with(Vec::len);
                        if n == 1 {
                            "1 saved entry could not be read; it was kept as-is.".to_string()
                        } else {
                            format!("{n} saved entries could not be read; they were kept as-is.")
                        }
                    }}
                </p>
                <ul>
                    {move || {
                        app.problems
                            .get()
                            .into_iter()
                            .map(|p| view! { <li>{p.message()}</li> })
                            .collect_view()
                    }}
                </ul>
            </div>
        </Show>
    }
}

/// The latest notice, with Undo when it offers one.
#[component]
fn NoticeBar() -> impl IntoView {
    let app = use_app();
    let undo = move |_| {
        if let Some(saved) = app.notice.get_untracked().and_then(|n| n.undo) {
            match app.store.with_value(|s| s.save_estimate(&saved)) {
                Ok(()) => {
                    app.history.update(|h| {
                        h.push(saved.clone());
                        h.sort_by_key(|e| std::cmp::Reverse(e.updated_ms));
                    });
                    app.tell(format!("Restored “{}”.", saved.name), false);
                }
                Err(e) => app.write_failed(&e),
            }
        }
    };
    view! {
        {move || {
            app.notice
                .get()
                .map(|n| {
                    let class = if n.is_error { "notice error" } else { "notice" };
                    let has_undo = n.undo.is_some();
                    view! {
                        <div class=class role=if n.is_error { "alert" } else { "status" } data-testid="notice">
                            <span>{n.text}</span>
                            <Show when=move || has_undo>
                                <button on:click=undo>"Undo"</button>
                            </Show>
                            <button class="close" aria-label="Dismiss message" on:click=move |_| app.notice.set(None)>
                                "×"
                            </button>
                        </div>
                    }
                })
        }}
    }
}
