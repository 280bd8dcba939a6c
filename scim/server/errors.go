package server

import (
	"errors"

	"github.com/scimdoctor/scimdoctor/scim/store"
)

func isNotFound(err error) bool        { return errors.Is(err, store.ErrNotFound) }
func isVersionMismatch(err error) bool { return errors.Is(err, store.ErrVersionMismatch) }
