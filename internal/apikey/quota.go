package apikey

// QuotaKey is the counter key of an API key's quota in a usage plan. The
// data plane counts requests under it; GetUsage and UpdateUsage read and
// change the same counter.
func QuotaKey(planID, keyID string) string { return "quota/" + planID + "/" + keyID }
