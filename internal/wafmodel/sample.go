package wafmodel

import (
	"strconv"
	"time"
)

// Sample is one sampled request, as GetSampledRequests answers it
// (SampledHTTPRequest [M]).
type Sample struct {
	Request                 HTTPRequest  `json:"Request"`
	Weight                  int64        `json:"Weight"`
	Timestamp               Epoch        `json:"Timestamp"`
	Action                  string       `json:"Action,omitempty"`
	RuleNameWithinRuleGroup string       `json:"RuleNameWithinRuleGroup,omitempty"`
	RequestHeadersInserted  []HTTPHeader `json:"RequestHeadersInserted,omitempty"`
	ResponseCodeSent        int          `json:"ResponseCodeSent,omitempty"`
	Labels                  []Label      `json:"Labels,omitempty"`
	OverriddenAction        string       `json:"OverriddenAction,omitempty"`
	CaptchaResponse         *Challenge   `json:"CaptchaResponse,omitempty"`
	ChallengeResponse       *Challenge   `json:"ChallengeResponse,omitempty"`
}

// HTTPRequest is a sample's request.
type HTTPRequest struct {
	ClientIP    string       `json:"ClientIP"`
	Country     string       `json:"Country,omitempty"`
	URI         string       `json:"URI"`
	Method      string       `json:"Method"`
	HTTPVersion string       `json:"HTTPVersion"`
	Headers     []HTTPHeader `json:"Headers"`
}

// HTTPHeader is a header of a sample.
type HTTPHeader struct {
	Name  string `json:"Name"`
	Value string `json:"Value"`
}

// Challenge is a sample's CAPTCHA or challenge outcome.
type Challenge struct {
	ResponseCode  int    `json:"ResponseCode,omitempty"`
	FailureReason string `json:"FailureReason,omitempty"`
}

// Epoch is a timestamp sent as epoch seconds with a fraction [M].
type Epoch time.Time

// MarshalJSON implements json.Marshaler.
func (e Epoch) MarshalJSON() ([]byte, error) {
	return strconv.AppendFloat(nil, float64(time.Time(e).UnixMilli())/1000, 'f', 3, 64), nil
}
