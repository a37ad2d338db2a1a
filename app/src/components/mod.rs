//! Pieces several pages share.

pub mod badges;
pub mod browser;
pub mod form;
pub mod layout;
