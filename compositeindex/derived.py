"""Derived outputs: new columns computed from aggregates by an arithmetic expression in the configuration, e.g. a
gender development index as the ratio of two indices (`derived: {GDI: "HDI_f / HDI_m"}`).

Expressions are parsed with `ast` and only numbers, names of columns of Aggregated, + − × ÷ and powers, and the
functions below are accepted — nothing is evaluated by Python's eval."""

from __future__ import annotations

import ast

import numpy as np

from .data import Dataset

FUNCTIONS = {
    "abs": np.abs,
    "log": np.log,
    "exp": np.exp,
    "sqrt": np.sqrt,
    "min": np.fmin,
    "max": np.fmax,
}
BINARY = {ast.Add: np.add, ast.Sub: np.subtract, ast.Mult: np.multiply, ast.Div: np.divide, ast.Pow: np.power}


def _check(node: ast.AST, expr: str) -> None:
    for sub in ast.walk(node):
        allowed = ast.Expression | ast.BinOp | ast.UnaryOp | ast.Name | ast.Load | ast.Call | ast.Constant
        ok = isinstance(sub, allowed | ast.operator | ast.unaryop)
        if isinstance(sub, ast.BinOp) and type(sub.op) not in BINARY:
            ok = False
        if isinstance(sub, ast.UnaryOp) and not isinstance(sub.op, ast.USub | ast.UAdd):
            ok = False
        if isinstance(sub, ast.Constant) and not isinstance(sub.value, int | float):
            ok = False
        if isinstance(sub, ast.Call) and (
            not isinstance(sub.func, ast.Name) or sub.func.id not in FUNCTIONS or sub.keywords
        ):
            ok = False
        if not ok:
            raise ValueError(f"derived: 表达式 “{expr}” 只能含数字、代码、+ - * / **、括号和 {', '.join(FUNCTIONS)}")


def parse(expr: str) -> ast.Expression:
    try:
        tree = ast.parse(expr, mode="eval")
    except SyntaxError:
        raise ValueError(f"derived: 表达式 “{expr}” 无法解析") from None
    _check(tree, expr)
    return tree


def names_in(expr: str) -> set[str]:
    """The column codes an expression reads (function names excluded)."""
    tree = parse(expr)
    funcs = {id(n.func) for n in ast.walk(tree) if isinstance(n, ast.Call)}
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and id(n) not in funcs}


def _eval(node: ast.AST, cols) -> np.ndarray | float:
    if isinstance(node, ast.Expression):
        return _eval(node.body, cols)
    if isinstance(node, ast.Constant):
        return float(node.value)
    if isinstance(node, ast.Name):
        return cols(node.id)
    if isinstance(node, ast.UnaryOp):
        v = _eval(node.operand, cols)
        return -v if isinstance(node.op, ast.USub) else v
    if isinstance(node, ast.BinOp):
        return BINARY[type(node.op)](_eval(node.left, cols), _eval(node.right, cols))
    return FUNCTIONS[node.func.id](*(_eval(a, cols) for a in node.args))


def derive_outputs(agg: Dataset, exprs: dict[str, str]) -> Dataset:
    """One column per expression, in the order written; a division by zero or a log of a non-positive value
    gives no value (NaN) for that unit rather than an infinity."""
    pos = {c: j for j, c in enumerate(agg.codes)}
    values = np.empty((len(agg.units), len(exprs)))
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        for j, expr in enumerate(exprs.values()):
            y = _eval(parse(expr), lambda c: agg.values[:, pos[c]])
            y = np.broadcast_to(np.asarray(y, float), (len(agg.units),))
            values[:, j] = np.where(np.isfinite(y), y, np.nan)
    return Dataset("Derived", agg.units, tuple(exprs), values, np.zeros(values.shape, np.uint8), agg.name, dict(exprs))
