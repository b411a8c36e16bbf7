package vtl

// node is a piece of a template body: *textNode, *refNode, *setNode,
// *ifNode, *foreachNode or *ctlNode.
type node any

// expr is an expression: *litExpr, *interpExpr, *listExpr, *mapExpr,
// *rangeExpr, *binExpr, *notExpr, *parenExpr or *refNode.
type expr any

// textNode is literal template text, copied to the output as it is.
type textNode struct{ text string }

// Kinds of accessor.
const (
	accProp   = iota // .name
	accMethod        // .name(args)
	accIndex         // [index]
)

// accessor is one step of a reference's chain, such as .name, .name(args)
// or [index].
type accessor struct {
	kind  uint8
	pos   int    // offset in the template source, for errors
	name  string // accProp, accMethod
	args  []expr // accMethod
	index expr   // accIndex
}

// refNode is a reference: $name, $!name or ${name} followed by its chain.
type refNode struct {
	pos    int
	name   string
	silent bool   // $!: a null value renders as nothing
	lit    string // source text, rendered when the value is null
	chain  []accessor
	esc    int // number of backslashes before the reference (escaping)
}

// setNode is #set($target = value).
type setNode struct {
	pos    int
	target *refNode
	value  expr
}

// ifNode is #if with its #elseif branches: bodies[i] renders when conds[i]
// is the first true condition, els (nil without #else) when none is.
type ifNode struct {
	conds  []expr
	bodies [][]node
	els    []node
}

// foreachNode is #foreach($varName in iter) body #end.
type foreachNode struct {
	pos     int
	varName string
	iter    expr
	body    []node
}

// ctlNode is #break or #stop.
type ctlNode struct {
	stop bool // #stop; otherwise #break
}

// litExpr is a constant: string, int64, float64 or bool.
type litExpr struct{ v any }

// interpExpr is a double-quoted string with references or directives,
// rendered like a template into a string.
type interpExpr struct{ nodes []node }

// listExpr is a list literal [a, b].
type listExpr struct{ elems []expr }

// mapExpr is a map literal {k: v}; keys[i] maps to vals[i].
type mapExpr struct{ keys, vals []expr }

// rangeExpr is an integer range [from..to], both ends included.
type rangeExpr struct {
	pos      int
	from, to expr
}

// Binary operators, from the loosest to the tightest binding group:
// or; and; == !=; < > <= >=; + -; * / %.
const (
	opOr = iota
	opAnd
	opEq
	opNe
	opLt
	opGt
	opLe
	opGe
	opAdd
	opSub
	opMul
	opDiv
	opMod
)

// binExpr is a binary operation; pos locates the operator.
type binExpr struct {
	op   int
	pos  int
	l, r expr
}

// notExpr is !x or "not x".
type notExpr struct{ x expr }

// parenExpr is a parenthesized expression (x).
type parenExpr struct{ x expr }
