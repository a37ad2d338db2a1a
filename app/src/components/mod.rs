//! Pieces several pages share.

pub mod actions;
pub mod alerts;
pub mod badges;
pub mod browser;
pub mod email;
pub mod form;
pub mod incidents;
pub mod layout;
pub mod live;
pub mod postmortems;
pub mod resource;
