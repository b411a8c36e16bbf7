package vtl

type node any // *textNode, *refNode, *setNode, *ifNode, *foreachNode, *ctlNode

type expr any // *litExpr, *interpExpr, *listExpr, *mapExpr, *rangeExpr, *binExpr, *notExpr, *parenExpr, *refNode

type textNode struct{ text string }

const (
	accProp = iota
	accMethod
	accIndex
)

type accessor struct {
	kind  uint8
	pos   int
	name  string
	args  []expr
	index expr
}

type refNode struct {
	pos    int
	name   string
	silent bool
	lit    string // source text, rendered when the value is null
	chain  []accessor
	esc    int // number of backslashes before the reference (escaping)
}

type setNode struct {
	pos    int
	target *refNode
	value  expr
}

type ifNode struct {
	conds  []expr
	bodies [][]node
	els    []node
}

type foreachNode struct {
	pos     int
	varName string
	iter    expr
	body    []node
}

type ctlNode struct {
	stop bool // #stop; otherwise #break
}

type litExpr struct{ v any }

type interpExpr struct{ nodes []node }

type listExpr struct{ elems []expr }

type mapExpr struct{ keys, vals []expr }

type rangeExpr struct {
	pos      int
	from, to expr
}

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

type binExpr struct {
	op   int
	pos  int
	l, r expr
}

type notExpr struct{ x expr }

type parenExpr struct{ x expr }
