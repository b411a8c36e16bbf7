// Command backend is the PetStore example's backend: a small in-memory pet
// store over HTTP (GET/POST /pets, GET /pets/{id}) that the example API's
// HTTP integrations call.
package main

import (
	"encoding/json"
	"flag"
	"log"
	"net/http"
	"strconv"
	"sync"
)

// Pet is one pet.
type Pet struct {
	ID    string  `json:"id"`
	Name  string  `json:"name"`
	Type  string  `json:"type"`
	Price float64 `json:"price"`
}

type store struct {
	mu   sync.Mutex
	pets []Pet
}

func (s *store) list(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []Pet{}
	for _, p := range s.pets {
		if t := r.URL.Query().Get("type"); t == "" || t == p.Type {
			out = append(out, p)
		}
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *store) create(w http.ResponseWriter, r *http.Request) {
	var p Pet
	if err := json.NewDecoder(r.Body).Decode(&p); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
		return
	}
	s.mu.Lock()
	p.ID = strconv.Itoa(len(s.pets) + 1)
	s.pets = append(s.pets, p)
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, p)
}

func (s *store) get(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, p := range s.pets {
		if p.ID == r.PathValue("id") {
			writeJSON(w, http.StatusOK, p)
			return
		}
	}
	writeJSON(w, http.StatusNotFound, map[string]string{"error": "no such pet"})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func main() {
	addr := flag.String("addr", "127.0.0.1:8081", "listen address")
	flag.Parse()
	s := &store{pets: []Pet{{ID: "1", Name: "Rex", Type: "dog", Price: 249.99}, {ID: "2", Name: "Tom", Type: "cat", Price: 124.5}}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /pets", s.list)
	mux.HandleFunc("POST /pets", s.create)
	mux.HandleFunc("GET /pets/{id}", s.get)
	log.Printf("petstore backend on http://%s", *addr)
	log.Fatal(http.ListenAndServe(*addr, mux))
}
