package apigw

import "github.com/tollgate/tollgate/internal/mgmt/docstore"

// IDSource generates identifiers of a given length from [a-z0-9].
type IDSource = docstore.IDSource

// RandomIDs draws identifiers from crypto/rand.
type RandomIDs = docstore.RandomIDs

// Lengths of generated identifiers, as AWS's look [V][U].
const (
	lenRestApiID    = 10
	lenRootID       = 10
	lenChildID      = 6
	lenDeploymentID = 6
	lenApiKeyID     = 10
	lenUsagePlanID  = 6
)

// sequence hands out strictly increasing creation stamps, used to list
// documents in creation order.
type sequence struct{ docstore.Sequence }

func (s *sequence) next() int64 { return s.Next() }
