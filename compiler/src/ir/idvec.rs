//! Typed index vectors: ids are only made by pushing, so indexing by an id from the
//! same network cannot go out of bounds.

use serde::Serialize;
use std::marker::PhantomData;

pub trait Id: Copy + Ord {
    fn from_index(i: usize) -> Self;
    fn index(self) -> usize;
}

macro_rules! define_id {
    ($($(#[$m:meta])* $name:ident),* $(,)?) => {$(
        $(#[$m])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
        pub struct $name(pub u32);
        impl Id for $name {
            fn from_index(i: usize) -> Self { $name(u32::try_from(i).unwrap_or(u32::MAX)) }
            fn index(self) -> usize { self.0 as usize }
        }
    )*};
}

define_id!(
    /// A BGP speaker or forwarding node.
    NodeId,
    /// A directed BGP adjacency.
    EdgeId,
    /// An (undirected) BGP session.
    SessionId,
    PolicyId,
    TagId,
    TunnelId,
    VnetId,
    SubnetId,
    /// Something that can fail (`under failures K`) or be removed (`without`).
    ComponentId,
    CheckId,
);

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdVec<I: Id, T> {
    items: Vec<T>,
    _id: PhantomData<I>,
}

impl<I: Id, T> Default for IdVec<I, T> {
    fn default() -> Self {
        IdVec {
            items: Vec::new(),
            _id: PhantomData,
        }
    }
}

impl<I: Id, T> IdVec<I, T> {
    pub fn new() -> Self {
        Self::default()
    }
    pub fn push(&mut self, item: T) -> I {
        let id = I::from_index(self.items.len());
        self.items.push(item);
        id
    }
    pub fn len(&self) -> usize {
        self.items.len()
    }
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
    pub fn get(&self, id: I) -> Option<&T> {
        self.items.get(id.index())
    }
    pub fn get_mut(&mut self, id: I) -> Option<&mut T> {
        self.items.get_mut(id.index())
    }
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = (I, &T)> + ExactSizeIterator {
        self.items
            .iter()
            .enumerate()
            .map(|(i, t)| (I::from_index(i), t))
    }
    pub fn ids(&self) -> impl DoubleEndedIterator<Item = I> + ExactSizeIterator {
        (0..self.items.len()).map(I::from_index)
    }
    pub fn values(&self) -> std::slice::Iter<'_, T> {
        self.items.iter()
    }
    pub fn values_mut(&mut self) -> std::slice::IterMut<'_, T> {
        self.items.iter_mut()
    }
}

impl<I: Id, T> std::ops::Index<I> for IdVec<I, T> {
    type Output = T;
    #[allow(clippy::indexing_slicing)]
    fn index(&self, id: I) -> &T {
        // Ids are only created by `push` on the vector they index (the IR builder
        // never makes one otherwise), so this is in bounds.
        &self.items[id.index()]
    }
}

impl<I: Id, T> std::ops::IndexMut<I> for IdVec<I, T> {
    #[allow(clippy::indexing_slicing)]
    fn index_mut(&mut self, id: I) -> &mut T {
        &mut self.items[id.index()]
    }
}

impl<I: Id, T: Serialize> Serialize for IdVec<I, T> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.items.serialize(s)
    }
}
