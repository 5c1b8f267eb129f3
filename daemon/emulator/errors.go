package emulator

import "net/http"

// Last.fm error codes the emulator answers (https://www.last.fm/api/errorcodes).
const (
	ErrInvalidService    = 2
	ErrInvalidMethod     = 3
	ErrAuthFailed        = 4
	ErrInvalidFormat     = 5
	ErrInvalidParameters = 6
	ErrInvalidResource   = 7
	ErrOperationFailed   = 8
	ErrInvalidSessionKey = 9
	ErrInvalidAPIKey     = 10
	ErrServiceOffline    = 11
	ErrInvalidSignature  = 13
	ErrTokenUnauthorized = 14
	ErrTokenExpired      = 15
	ErrTemporary         = 16
	ErrLoginRequired     = 17
	ErrSuspendedAPIKey   = 26
	ErrDeprecated        = 27
	ErrRateLimitExceeded = 29
)

// errorMessages holds Last.fm's usual message for each code.
var errorMessages = map[int]string{
	1:  "This error does not exist",
	2:  "Invalid service - This service does not exist",
	3:  "Invalid Method - No method with that name in this package",
	4:  "Authentication Failed - You do not have permissions to access the service",
	5:  "Invalid format - This service doesn't exist in that format",
	6:  "Invalid parameters - Your request is missing a required parameter",
	7:  "Invalid resource specified",
	8:  "Operation failed - Most likely the backend service failed. Please try again.",
	9:  "Invalid session key - Please re-authenticate",
	10: "Invalid API key - You must be granted a valid key by last.fm",
	11: "Service Offline - This service is temporarily offline. Try again later.",
	12: "Subscribers Only - This station is only available to paid last.fm subscribers",
	13: "Invalid method signature supplied",
	14: "Unauthorized Token - This token has not been authorized",
	15: "This token has expired",
	16: "There was a temporary error processing your request. Please try again",
	17: "Login: User required to be logged in",
	26: "Suspended API key - Access for your account has been suspended, please contact Last.fm",
	27: "Deprecated - This type of request is no longer supported",
	29: "Rate Limit Exceeded - Your IP has made too many requests in a short period",
}

// ErrorMessage returns the message the emulator sends with a Last.fm error code.
func ErrorMessage(code int) string {
	if m, ok := errorMessages[code]; ok {
		return m
	}
	return "Error"
}

// ErrorStatus returns the HTTP status the emulator sends with a Last.fm error code.
//
// Observed pairs (docs/http-api.md#http-status-codes): 400 for 3, 6 and 13; 403 for 4, 10 and 17;
// 429 for 29. The rest are choices: 403 for the other auth and key errors (9, 14, 15,
// 26), 500 for 8, 503 for 11 and 16, and 400 for everything else (2, 5, 7, 27).
// "Not found" answers (code 6: unknown user, artist, album, track) use 404 instead.
func ErrorStatus(code int) int {
	switch code {
	case 4, 9, 10, 14, 15, 17, 26:
		return http.StatusForbidden
	case 8:
		return http.StatusInternalServerError
	case 11, 16:
		return http.StatusServiceUnavailable
	case 29:
		return http.StatusTooManyRequests
	default:
		return http.StatusBadRequest
	}
}

// apiError is a Last.fm error answer.
type apiError struct {
	code   int
	status int
	msg    string
}

// lfmErr builds an error answer with the usual message and status for code.
func lfmErr(code int) *apiError {
	return &apiError{code: code, status: ErrorStatus(code), msg: ErrorMessage(code)}
}

// lfmErrMsg builds an error answer with the usual status for code and its own message.
func lfmErrMsg(code int, msg string) *apiError {
	return &apiError{code: code, status: ErrorStatus(code), msg: msg}
}

// notFound builds Last.fm's "not found" answer: code 6 with HTTP 404.
func notFound(msg string) *apiError {
	return &apiError{code: ErrInvalidParameters, status: http.StatusNotFound, msg: msg}
}
