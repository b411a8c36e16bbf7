package cli

import "github.com/tollgate/tollgate/internal/config"

// roleCredentials maps Lambda execution roles to the keys of the IAM users
// (config file) that name them in execution-roles.
func roleCredentials(users []config.IAMUser) func(role string) (string, string, bool) {
	byRole := map[string]config.IAMUser{}
	for _, u := range users {
		for _, r := range u.ExecutionRoles {
			byRole[r] = u
		}
	}
	if len(byRole) == 0 {
		return nil
	}
	return func(role string) (string, string, bool) {
		u, ok := byRole[role]
		return u.AccessKeyID, u.SecretAccessKey, ok
	}
}
