//! The predicates of a block in SPJG form, classified for matching: column equalities
//! as equivalence classes (union-find over canonical columns), `column <op> constant`
//! as ranges per class, and the rest as residual predicates normalized to the classes'
//! representatives.

use datafusion::common::tree_node::{Transformed, TreeNode};
use datafusion::common::{Column, ScalarValue};
use datafusion::logical_expr::{BinaryExpr, Expr, Operator};

/// Union-find over canonical columns.
#[derive(Debug, Default, Clone)]
pub(super) struct Classes {
    parent: Vec<usize>,
    pub(super) columns: Vec<Column>,
}

impl Classes {
    fn id(&mut self, c: &Column) -> usize {
        if let Some(i) = self.columns.iter().position(|x| x == c) {
            return i;
        }
        self.columns.push(c.clone());
        self.parent.push(self.parent.len());
        self.parent.len() - 1
    }

    pub(super) fn find(&self, mut i: usize) -> usize {
        while self.parent[i] != i {
            i = self.parent[i];
        }
        i
    }

    fn union(&mut self, a: &Column, b: &Column) {
        let (a, b) = (self.id(a), self.id(b));
        let (ra, rb) = (self.find(a), self.find(b));
        if ra != rb {
            self.parent[ra] = rb;
        }
    }

    /// The representative column of `c`'s class.
    pub(super) fn rep(&self, c: &Column) -> Column {
        match self.columns.iter().position(|x| x == c) {
            Some(i) => self.columns[self.find(i)].clone(),
            None => c.clone(),
        }
    }

    pub(super) fn same(&self, a: &Column, b: &Column) -> bool {
        a == b || self.rep(a) == self.rep(b)
    }

    /// `e` with every column replaced by its representative.
    pub(super) fn normalize(&self, e: &Expr) -> Expr {
        e.clone()
            .transform_up(|x| {
                Ok(match x {
                    Expr::Column(c) => Transformed::yes(Expr::Column(self.rep(&c))),
                    other => Transformed::no(other),
                })
            })
            .map(|t| t.data)
            .unwrap_or_else(|_| unreachable!("the closure never fails"))
    }
}

/// A constant, looking through casts of constants.
fn constant(e: &Expr) -> Option<ScalarValue> {
    match e {
        Expr::Literal(v, _) => Some(v.clone()),
        Expr::Cast(c) => constant(&c.expr)?.cast_to(c.field.data_type()).ok(),
        Expr::TryCast(c) => constant(&c.expr)?.cast_to(c.field.data_type()).ok(),
        _ => None,
    }
}

/// One bound of a range: the value and whether it is included.
type Bound = Option<(ScalarValue, bool)>;

#[derive(Debug, Clone, Default, PartialEq)]
pub(super) struct Range {
    low: Bound,
    high: Bound,
}

impl Range {
    fn from_comparison(op: Operator, value: ScalarValue) -> Option<Self> {
        Some(match op {
            Operator::Eq => Range {
                low: Some((value.clone(), true)),
                high: Some((value, true)),
            },
            Operator::Lt => Range {
                low: None,
                high: Some((value, false)),
            },
            Operator::LtEq => Range {
                low: None,
                high: Some((value, true)),
            },
            Operator::Gt => Range {
                low: Some((value, false)),
                high: None,
            },
            Operator::GtEq => Range {
                low: Some((value, true)),
                high: None,
            },
            _ => return None,
        })
    }

    /// The tighter of two bounds (`lower`: which side).
    fn tighter(a: &Bound, b: &Bound, lower: bool) -> Bound {
        match (a, b) {
            (None, x) | (x, None) => x.clone(),
            (Some((va, ia)), Some((vb, ib))) => match va.partial_cmp(vb) {
                Some(std::cmp::Ordering::Equal) => Some((va.clone(), *ia && *ib)),
                Some(std::cmp::Ordering::Greater) => {
                    if lower {
                        a.clone()
                    } else {
                        b.clone()
                    }
                }
                Some(std::cmp::Ordering::Less) => {
                    if lower {
                        b.clone()
                    } else {
                        a.clone()
                    }
                }
                None => a.clone(),
            },
        }
    }

    fn intersect(&self, other: &Range) -> Range {
        Range {
            low: Self::tighter(&self.low, &other.low, true),
            high: Self::tighter(&self.high, &other.high, false),
        }
    }

    /// Whether every value in `inner` is in `self`.
    pub(super) fn contains(&self, inner: &Range) -> bool {
        let low_ok = match (&self.low, &inner.low) {
            (None, _) => true,
            (Some(_), None) => false,
            (Some((o, oi)), Some((i, ii))) => match o.partial_cmp(i) {
                Some(std::cmp::Ordering::Less) => true,
                Some(std::cmp::Ordering::Equal) => *oi || !*ii,
                _ => false,
            },
        };
        let high_ok = match (&self.high, &inner.high) {
            (None, _) => true,
            (Some(_), None) => false,
            (Some((o, oi)), Some((i, ii))) => match o.partial_cmp(i) {
                Some(std::cmp::Ordering::Greater) => true,
                Some(std::cmp::Ordering::Equal) => *oi || !*ii,
                _ => false,
            },
        };
        low_ok && high_ok
    }
}

/// A block's predicates, classified.
#[derive(Debug, Default)]
pub(super) struct Predicates {
    pub(super) classes: Classes,
    /// Ranges by class representative.
    pub(super) ranges: Vec<(Column, Range)>,
    /// Predicates that are neither column equalities nor ranges, normalized.
    pub(super) residual: Vec<Expr>,
    /// Every predicate, as written (canonical).
    pub(super) all: Vec<Expr>,
}

fn flip(op: Operator) -> Operator {
    match op {
        Operator::Lt => Operator::Gt,
        Operator::LtEq => Operator::GtEq,
        Operator::Gt => Operator::Lt,
        Operator::GtEq => Operator::LtEq,
        other => other,
    }
}

impl Predicates {
    pub(super) fn new(predicates: &[Expr]) -> Self {
        let mut p = Predicates {
            all: predicates.to_vec(),
            ..Default::default()
        };
        for e in predicates {
            if let Expr::BinaryExpr(BinaryExpr {
                left,
                op: Operator::Eq,
                right,
            }) = e
            {
                if let (Expr::Column(a), Expr::Column(b)) = (left.as_ref(), right.as_ref()) {
                    p.classes.union(a, b);
                }
            }
        }
        let mut ranges: Vec<(Column, Range)> = vec![];
        for e in predicates {
            match Self::range(e) {
                Some((column, range)) => {
                    let rep = p.classes.rep(&column);
                    match ranges.iter_mut().find(|(c, _)| *c == rep) {
                        Some((_, r)) => *r = r.intersect(&range),
                        None => ranges.push((rep, range)),
                    }
                }
                None => {
                    let is_equality = matches!(e, Expr::BinaryExpr(BinaryExpr { left, op: Operator::Eq, right })
                        if matches!((left.as_ref(), right.as_ref()), (Expr::Column(_), Expr::Column(_))));
                    if !is_equality {
                        let n = p.classes.normalize(e);
                        p.residual.push(n);
                    }
                }
            }
        }
        p.ranges = ranges;
        p
    }

    /// `col <op> constant` (either way round) as a range on the column.
    fn range(e: &Expr) -> Option<(Column, Range)> {
        let Expr::BinaryExpr(BinaryExpr { left, op, right }) = e else {
            return None;
        };
        match (
            left.as_ref(),
            constant(right),
            right.as_ref(),
            constant(left),
        ) {
            (Expr::Column(c), Some(v), _, _) => Some((c.clone(), Range::from_comparison(*op, v)?)),
            (_, _, Expr::Column(c), Some(v)) => {
                Some((c.clone(), Range::from_comparison(flip(*op), v)?))
            }
            _ => None,
        }
    }

    pub(super) fn range_of(&self, c: &Column) -> Range {
        let rep = self.classes.rep(c);
        self.ranges
            .iter()
            .find(|(r, _)| *r == rep)
            .map(|(_, r)| r.clone())
            .unwrap_or_default()
    }
}
