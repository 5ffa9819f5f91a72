//! `llmcost`: the command-line front end of cost-core.
fn main() {}
