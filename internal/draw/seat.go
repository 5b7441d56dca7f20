package draw

import (
	"fmt"
	"slices"
)

// SeatProject is one project of an evaluation session with its drawn experts.
type SeatProject struct {
	ID      string   `json:"id"`
	Experts []string `json:"experts"`
}

// Room is an evaluation room with its number of seats.
type Room struct {
	ID       string `json:"id"`
	Capacity int    `json:"capacity"`
}

// Seat is one expert's place.
type Seat struct {
	Project string `json:"project"`
	Expert  string `json:"expert"`
	Room    string `json:"room"`
}

// SeatingImpossible says why no seating exists.
type SeatingImpossible struct {
	Seated, Experts int
	Reason          string
}

func (e *SeatingImpossible) Error() string {
	return fmt.Sprintf("no seating exists: at most %d of %d experts can be seated (%s)", e.Seated, e.Experts, e.Reason)
}

// AssignSeats places every expert in a room so that no two experts of one
// project share a room (同标不同室; equivalently every room holds experts of
// different projects, 同室不同标) and no room exceeds its capacity.
//
// It is exact: the problem is a flow network source -> project (capacity =
// its experts) -> room (capacity 1) -> sink (capacity = room seats), and a
// seating exists if and only if the maximum flow equals the number of
// experts. Augmenting paths are searched with each project's rooms in an
// order drawn from g, and each project's experts are matched to its rooms in
// an order drawn from g, so the result is random yet reproducible from the
// seed. Projects are taken in the given order, rooms and experts as listed.
func AssignSeats(g *DRBG, projects []SeatProject, rooms []Room) ([]Seat, error) {
	total := 0
	for _, p := range projects {
		total += len(p.Experts)
	}
	f := newSeatFlow(g, projects, rooms)
	seated := f.maxFlow()
	if seated < total {
		return nil, &SeatingImpossible{Seated: seated, Experts: total, Reason: seatingReason(projects, rooms)}
	}
	var out []Seat
	for pi, p := range projects {
		var mine []string
		for _, ri := range f.order[pi] {
			if f.flow[pi][ri] {
				mine = append(mine, rooms[ri].ID)
			}
		}
		experts := slices.Clone(p.Experts)
		shuffle(g, experts)
		for i, e := range experts {
			out = append(out, Seat{Project: p.ID, Expert: e, Room: mine[i]})
		}
	}
	return out, nil
}

func shuffle[T any](g *DRBG, s []T) {
	for i := 0; i < len(s)-1; i++ {
		j := i + int(g.Uniform(uint64(len(s)-i)))
		s[i], s[j] = s[j], s[i]
	}
}

type seatFlow struct {
	projects []SeatProject
	rooms    []Room
	order    [][]int  // per project, room indexes in drawn order
	flow     [][]bool // project x room
	used     []int    // seats used per room
	seen     []bool
}

func newSeatFlow(g *DRBG, projects []SeatProject, rooms []Room) *seatFlow {
	f := &seatFlow{projects: projects, rooms: rooms, used: make([]int, len(rooms))}
	for range projects {
		o := make([]int, len(rooms))
		for i := range o {
			o[i] = i
		}
		shuffle(g, o)
		f.order = append(f.order, o)
		f.flow = append(f.flow, make([]bool, len(rooms)))
	}
	return f
}

// maxFlow pushes one unit at a time from each project until no augmenting
// path is left (Ford-Fulkerson; every capacity is small).
func (f *seatFlow) maxFlow() int {
	n := 0
	for pi, p := range f.projects {
		for range p.Experts {
			f.seen = make([]bool, len(f.rooms))
			if f.augment(pi) {
				n++
			}
		}
	}
	return n
}

// augment finds a path from project pi to a room with a free seat, possibly
// moving other projects' units between rooms (project -> room forward,
// room -> project backward along existing flow).
func (f *seatFlow) augment(pi int) bool {
	for _, ri := range f.order[pi] {
		if f.flow[pi][ri] || f.seen[ri] {
			continue
		}
		f.seen[ri] = true
		if f.used[ri] < f.rooms[ri].Capacity {
			f.flow[pi][ri] = true
			f.used[ri]++
			return true
		}
		for qi := range f.projects {
			if qi != pi && f.flow[qi][ri] && f.reroute(qi, ri) {
				f.flow[pi][ri] = true
				return true
			}
		}
	}
	return false
}

// reroute moves project qi's unit out of room from into another room.
func (f *seatFlow) reroute(qi, from int) bool {
	f.flow[qi][from] = false
	f.used[from]--
	if f.augment(qi) {
		f.used[from]++ // the seat is taken over by the caller's project
		return true
	}
	f.flow[qi][from] = true
	f.used[from]++
	return false
}

func seatingReason(projects []SeatProject, rooms []Room) string {
	seats, usable := 0, 0
	for _, r := range rooms {
		seats += r.Capacity
		if r.Capacity > 0 {
			usable++
		}
	}
	total := 0
	for _, p := range projects {
		total += len(p.Experts)
		if len(p.Experts) > usable {
			return fmt.Sprintf("project %s has %d experts but only %d rooms have seats", p.ID, len(p.Experts), usable)
		}
	}
	if total > seats {
		return fmt.Sprintf("%d experts but only %d seats", total, seats)
	}
	return "rooms are too small to keep each project's experts apart"
}

// CheckSeating reports the first violated constraint of a seating, or nil.
func CheckSeating(projects []SeatProject, rooms []Room, seats []Seat) error {
	capacity := map[string]int{}
	for _, r := range rooms {
		capacity[r.ID] = r.Capacity
	}
	want := map[string]string{}
	for _, p := range projects {
		for _, e := range p.Experts {
			want[e] = p.ID
		}
	}
	if len(seats) != len(want) {
		return fmt.Errorf("%d seats for %d experts", len(seats), len(want))
	}
	inRoom := map[string]int{}
	pairs := map[[2]string]bool{}
	for _, s := range seats {
		if want[s.Expert] != s.Project {
			return fmt.Errorf("expert %s seated for project %s", s.Expert, s.Project)
		}
		delete(want, s.Expert)
		inRoom[s.Room]++
		if inRoom[s.Room] > capacity[s.Room] {
			return fmt.Errorf("room %s over capacity", s.Room)
		}
		k := [2]string{s.Project, s.Room}
		if pairs[k] {
			return fmt.Errorf("two experts of project %s in room %s", s.Project, s.Room)
		}
		pairs[k] = true
	}
	return nil
}
