package draw

import (
	"errors"
	"fmt"
	"testing"
)

// feasible decides by brute force whether a seating exists: each project
// chooses a set of distinct rooms, capacities respected.
func feasible(need []int, caps []int) bool {
	if len(need) == 0 {
		return true
	}
	var try func(room, left int, used []int) bool
	try = func(room, left int, used []int) bool {
		if left == 0 {
			return feasible(need[1:], used)
		}
		if room == len(used) {
			return false
		}
		if used[room] > 0 {
			next := append([]int(nil), used...)
			next[room]--
			if try(room+1, left-1, next) {
				return true
			}
		}
		return try(room+1, left, used)
	}
	return try(0, need[0], caps)
}

func TestSeatingAgainstBruteForce(t *testing.T) {
	g := NewDRBG([]byte("seating instances"))
	possible, impossible := 0, 0
	for inst := range 3000 {
		nr := 1 + int(g.Uniform(5))
		np := 1 + int(g.Uniform(4))
		rooms := make([]Room, nr)
		caps := make([]int, nr)
		for i := range rooms {
			caps[i] = int(g.Uniform(4))
			rooms[i] = Room{ID: fmt.Sprintf("R%d", i), Capacity: caps[i]}
		}
		projects := make([]SeatProject, np)
		need := make([]int, np)
		for i := range projects {
			need[i] = int(g.Uniform(uint64(nr + 2)))
			projects[i].ID = fmt.Sprintf("P%d", i)
			for e := range need[i] {
				projects[i].Experts = append(projects[i].Experts, fmt.Sprintf("P%d-E%d", i, e))
			}
		}
		seats, err := AssignSeats(NewDRBG([]byte{byte(inst), byte(inst >> 8)}), projects, rooms)
		want := feasible(need, caps)
		var imp *SeatingImpossible
		switch {
		case want && err != nil:
			t.Fatalf("instance %d need %v caps %v: feasible but got %v", inst, need, caps, err)
		case !want && !errors.As(err, &imp):
			t.Fatalf("instance %d need %v caps %v: infeasible but got %v", inst, need, caps, err)
		case want:
			possible++
			if err := CheckSeating(projects, rooms, seats); err != nil {
				t.Fatalf("instance %d: %v", inst, err)
			}
		default:
			impossible++
		}
	}
	if possible < 300 || impossible < 300 {
		t.Fatalf("instances not varied enough: %d possible, %d impossible", possible, impossible)
	}
}

func TestSeatingLargeSession(t *testing.T) {
	projects, rooms := largeSession()
	seats, err := AssignSeats(NewDRBG([]byte("large")), projects, rooms)
	if err != nil {
		t.Fatal(err)
	}
	if err := CheckSeating(projects, rooms, seats); err != nil {
		t.Fatal(err)
	}
}

// largeSession is 50 projects x 7 experts and 60 rooms of 6 seats.
func largeSession() ([]SeatProject, []Room) {
	var projects []SeatProject
	for p := range 50 {
		sp := SeatProject{ID: fmt.Sprintf("P%02d", p)}
		for e := range 7 {
			sp.Experts = append(sp.Experts, fmt.Sprintf("P%02d-E%d", p, e))
		}
		projects = append(projects, sp)
	}
	var rooms []Room
	for r := range 60 {
		rooms = append(rooms, Room{ID: fmt.Sprintf("R%02d", r), Capacity: 6})
	}
	return projects, rooms
}

func BenchmarkSeating50x7Into60Rooms(b *testing.B) {
	projects, rooms := largeSession()
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if _, err := AssignSeats(NewDRBG([]byte{byte(i)}), projects, rooms); err != nil {
			b.Fatal(err)
		}
	}
}
