package handlers

import (
	"encoding/json"
	"net/http"

	validation "github.com/go-ozzo/ozzo-validation/v4"
	"github.com/go-ozzo/ozzo-validation/v4/is"
	"github.com/gin-gonic/gin"
	"github.com/go-playground/validator/v10"
)

// ---------------------------------------------------------------- evidence

// ruleid: vibeward.go.input_validation.validation-tags
type RegisterRequest struct {
	Email    string `json:"email" binding:"required,email"`
	Password string `json:"password" binding:"required,min=12,max=128"`
}

// ruleid: vibeward.go.input_validation.validator
var validate = validator.New()

// ruleid: vibeward.go.input_validation.validation-tags
type Address struct {
	Street string `validate:"required"`
	City   string `validate:"required"`
}

func register(c *gin.Context) {
	var req RegisterRequest
	if err := c.ShouldBindJSON(&req); err != nil {
		c.JSON(http.StatusBadRequest, gin.H{"error": err.Error()})
		return
	}
}

func saveAddress(w http.ResponseWriter, r *http.Request) {
	var a Address
	dec := json.NewDecoder(r.Body)
	// ruleid: vibeward.go.input_validation.strict-json
	dec.DisallowUnknownFields()
	if err := dec.Decode(&a); err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	// ruleid: vibeward.go.input_validation.validator
	if err := validate.Struct(a); err != nil {
		http.Error(w, err.Error(), http.StatusUnprocessableEntity)
	}
}

type Customer struct {
	Name  string
	Email string
}

func (c Customer) Validate() error {
	// ruleid: vibeward.go.input_validation.ozzo-validation
	return validation.ValidateStruct(&c,
		validation.Field(&c.Name, validation.Required, validation.Length(1, 100)),
		validation.Field(&c.Email, validation.Required, is.Email),
	)
}

// ------------------------------------------------------------- near misses

// ok: vibeward.go.input_validation.validation-tags
type Row struct {
	ID   int    `json:"id" db:"id"`
	Name string `json:"name" binding:"-"`
}

func decodeLoose(r *http.Request) (Row, error) {
	var row Row
	// ok: vibeward.go.input_validation.strict-json
	err := json.NewDecoder(r.Body).Decode(&row)
	return row, err
}
