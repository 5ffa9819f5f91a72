//! Pieces shared by several pages.

pub mod model_picker;
pub mod pipeline_editor;
