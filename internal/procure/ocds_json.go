package procure

// A hand-written JSON encoder for the OCDS packages (issue 16: the export
// of 10,000 projects at most 3× a plain scan of the same rows). It writes
// exactly what encoding/json's Marshal writes for these types (field
// order, omitempty, null for nil slices and pointers, HTML-safe string
// escaping, ES6 number format), without reflection and into one reused
// buffer; ocds_json_test.go checks it byte for byte against Marshal on
// random values and on the feed of the demo and of random projects.

import (
	"errors"
	"math"
	"strconv"
	"unicode/utf8"
)

// AppendJSON appends the package's JSON (as json.Marshal writes it) to dst.
func (p *ReleasePackage) AppendJSON(dst []byte) ([]byte, error) {
	e := ocdsEnc{b: dst}
	e.releasePackage(p)
	return e.b, e.err
}

// AppendJSON appends the package's JSON (as json.Marshal writes it) to dst.
func (p *RecordPackage) AppendJSON(dst []byte) ([]byte, error) {
	e := ocdsEnc{b: dst}
	e.recordPackage(p)
	return e.b, e.err
}

// AppendJSON appends the release's JSON (as json.Marshal writes it) to dst.
func (r *Release) AppendJSON(dst []byte) ([]byte, error) {
	e := ocdsEnc{b: dst}
	e.release(r)
	return e.b, e.err
}

// AppendJSON appends the record's JSON (as json.Marshal writes it) to dst.
func (r *Record) AppendJSON(dst []byte) ([]byte, error) {
	e := ocdsEnc{b: dst}
	e.record(r)
	return e.b, e.err
}

var errOCDSFloat = errors.New("procure: an OCDS number is NaN or infinite")

// ocdsEnc appends JSON to b; err is the first value JSON cannot hold.
type ocdsEnc struct {
	b   []byte
	err error
}

// htmlSafe marks the ASCII bytes encoding/json writes as they are (with
// its HTML escaping on, as Marshal has it).
var htmlSafe = func() (t [utf8.RuneSelf]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\' && c != '<' && c != '>' && c != '&'
	}
	return t
}()

const hexDigits = "0123456789abcdef"

// str writes s as encoding/json does: HTML characters, control characters,
// U+2028 and U+2029 escaped, invalid UTF-8 as U+FFFD.
func (e *ocdsEnc) str(s string) {
	b := append(e.b, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if htmlSafe[c] {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '\\', '"':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	e.b = append(b, '"')
}

// num writes f as encoding/json does (ES6 number to string).
func (e *ocdsEnc) num(f float64) {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		if e.err == nil {
			e.err = errOCDSFloat
		}
		e.b = append(e.b, '0')
		return
	}
	abs, format := math.Abs(f), byte('f')
	if abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b := strconv.AppendFloat(e.b, f, format, -1, 64)
	if format == 'e' {
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	e.b = b
}

func (e *ocdsEnc) int(v int)      { e.b = strconv.AppendInt(e.b, int64(v), 10) }
func (e *ocdsEnc) raw(s string)   { e.b = append(e.b, s...) }
func (e *ocdsEnc) byte(c byte)    { e.b = append(e.b, c) }
func (e *ocdsEnc) null()          { e.b = append(e.b, "null"...) }
func (e *ocdsEnc) boolean(v bool) { e.b = strconv.AppendBool(e.b, v) }

// The helpers below write `,"name":value` for a field that is not the
// first of its object (the first is written with raw and the object's
// opening brace), with omitempty where the struct tag has it.

func (e *ocdsEnc) strField(key, v string) { e.raw(key); e.str(v) }

func (e *ocdsEnc) strOmit(key, v string) {
	if v != "" {
		e.raw(key)
		e.str(v)
	}
}

func (e *ocdsEnc) intOmit(key string, v int) {
	if v != 0 {
		e.raw(key)
		e.int(v)
	}
}

func (e *ocdsEnc) strings(v []string) {
	if v == nil {
		e.null()
		return
	}
	e.byte('[')
	for i, s := range v {
		if i > 0 {
			e.byte(',')
		}
		e.str(s)
	}
	e.byte(']')
}

func (e *ocdsEnc) value(v *Value) {
	if v == nil {
		e.null()
		return
	}
	e.raw(`{"amount":`)
	e.num(v.Amount)
	e.strField(`,"currency":`, v.Currency)
	e.byte('}')
}

func (e *ocdsEnc) orgRef(r *OrgRef) {
	if r == nil {
		e.null()
		return
	}
	e.raw(`{"id":`)
	e.str(r.ID)
	e.strField(`,"name":`, r.Name)
	e.byte('}')
}

func (e *ocdsEnc) orgRefs(v []OrgRef) {
	if v == nil {
		e.null()
		return
	}
	e.byte('[')
	for i := range v {
		if i > 0 {
			e.byte(',')
		}
		e.orgRef(&v[i])
	}
	e.byte(']')
}

func (e *ocdsEnc) party(p *Party) {
	e.raw(`{"id":`)
	e.str(p.ID)
	e.strField(`,"name":`, p.Name)
	if id := p.Identifier; id != nil {
		e.raw(`,"identifier":{"scheme":`)
		e.str(id.Scheme)
		e.strField(`,"id":`, id.ID)
		e.strOmit(`,"legalName":`, id.LegalName)
		e.byte('}')
	}
	e.raw(`,"roles":`)
	e.strings(p.Roles)
	e.byte('}')
}

func (e *ocdsEnc) planning(p *Planning) {
	e.byte('{')
	comma := false
	if p.Rationale != "" {
		e.raw(`"rationale":`)
		e.str(p.Rationale)
		comma = true
	}
	if b := p.Budget; b != nil {
		if comma {
			e.byte(',')
		}
		e.raw(`"budget":{`)
		comma := false
		if b.ID != "" {
			e.raw(`"id":`)
			e.str(b.ID)
			comma = true
		}
		if b.Description != "" {
			if comma {
				e.byte(',')
			}
			e.raw(`"description":`)
			e.str(b.Description)
			comma = true
		}
		if comma {
			e.byte(',')
		}
		e.raw(`"amount":`)
		e.value(b.Amount)
		e.byte('}')
	}
	e.byte('}')
}

func (e *ocdsEnc) item(it *Item) {
	e.raw(`{"id":`)
	e.str(it.ID)
	e.strField(`,"description":`, it.Description)
	if c := it.Classification; c != nil {
		e.raw(`,"classification":{"scheme":`)
		e.str(c.Scheme)
		e.strField(`,"id":`, c.ID)
		e.byte('}')
	}
	if it.Quantity != 0 {
		e.raw(`,"quantity":`)
		e.num(it.Quantity)
	}
	e.strOmit(`,"relatedLot":`, it.RelatedLot)
	e.byte('}')
}

func (e *ocdsEnc) items(key string, v []Item) {
	if len(v) == 0 {
		return
	}
	e.raw(key)
	e.byte('[')
	for i := range v {
		if i > 0 {
			e.byte(',')
		}
		e.item(&v[i])
	}
	e.byte(']')
}

func (e *ocdsEnc) setAside(s *SetAsideRules) {
	e.raw(`{"decision":`)
	e.str(s.Decision)
	e.strField(`,"decisionDetails":`, s.DecisionDetails)
	e.intOmit(`,"sharePercent":`, s.SharePercent)
	e.intOmit(`,"smallMicroSharePercent":`, s.SmallMicroSharePercent)
	e.strOmit(`,"exception":`, s.Exception)
	e.strOmit(`,"exceptionDetails":`, s.ExceptionDetails)
	e.byte('}')
}

func (e *ocdsEnc) priceDeduction(p *PriceDeduction) {
	e.raw(`{"smallMicroPercent":`)
	e.int(p.SmallMicroPercent)
	e.raw(`,"consortiumPercent":`)
	e.int(p.ConsortiumPercent)
	e.byte('}')
}

func (e *ocdsEnc) localRules(lr *LocalRules) {
	e.raw(`{"smeSetAside":`)
	e.setAside(&lr.SetAside)
	e.raw(`,"priceDeduction":`)
	e.priceDeduction(&lr.PriceDeduction)
	if p := lr.Pooling; p != nil {
		e.raw(`,"pooling":{"groupID":`)
		e.str(p.GroupID)
		if p.LeadUnit != nil {
			e.raw(`,"leadUnit":`)
			e.orgRef(p.LeadUnit)
		}
		e.strOmit(`,"coordinationGroup":`, p.Coordination)
		e.raw(`,"units":`)
		e.orgRefs(p.Units)
		e.byte('}')
	}
	e.raw(`,"creditCheck":{"scene":`)
	e.str(lr.CreditCheck.Scene)
	e.raw(`,"commitmentAllowed":`)
	e.boolean(lr.CreditCheck.CommitmentAllowed)
	e.raw(`},"evaluation":{"method":`)
	ev := &lr.Evaluation
	e.str(ev.Method)
	e.strField(`,"methodDetails":`, ev.MethodDetails)
	e.intOmit(`,"priceWeight":`, ev.PriceWeight)
	e.raw(`,"committeeSize":`)
	e.int(ev.CommitteeSize)
	e.raw(`}}`)
}

func (e *ocdsEnc) lot(l *OCDSLot) {
	e.raw(`{"id":`)
	e.str(l.ID)
	e.strField(`,"title":`, l.Title)
	e.strOmit(`,"description":`, l.Description)
	e.raw(`,"value":`)
	e.value(l.Value)
	if r := l.LocalRules; r != nil {
		e.raw(`,"localRules":{"smeSetAside":`)
		e.setAside(&r.SetAside)
		e.raw(`,"priceDeduction":`)
		e.priceDeduction(&r.PriceDeduction)
		e.byte('}')
	}
	e.byte('}')
}

func (e *ocdsEnc) challenge(c *OCDSChallenge) {
	e.raw(`{"id":`)
	e.str(c.ID)
	e.strField(`,"status":`, c.Status)
	e.strField(`,"statusDetails":`, c.StatusDetails)
	e.raw(`,"challenger":`)
	e.orgRef(c.Challenger)
	e.strField(`,"description":`, c.Description)
	e.strField(`,"dateFiled":`, c.DateFiled)
	e.strOmit(`,"answerDueDate":`, c.AnswerDueDate)
	e.strOmit(`,"dateAnswered":`, c.DateAnswered)
	e.strOmit(`,"answer":`, c.Answer)
	if k := c.Complaint; k != nil {
		e.raw(`,"complaint":{"dateFiled":`)
		e.str(k.DateFiled)
		e.strOmit(`,"decisionDueDate":`, k.DecisionDueDate)
		e.strOmit(`,"dateDecided":`, k.DateDecided)
		e.strOmit(`,"decision":`, k.Decision)
		e.byte('}')
	}
	e.byte('}')
}

func (e *ocdsEnc) tender(t *Tender) {
	e.raw(`{"id":`)
	e.str(t.ID)
	e.strOmit(`,"title":`, t.Title)
	e.strOmit(`,"status":`, t.Status)
	if t.ProcuringEntity != nil {
		e.raw(`,"procuringEntity":`)
		e.orgRef(t.ProcuringEntity)
	}
	e.items(`,"items":`, t.Items)
	if t.Value != nil {
		e.raw(`,"value":`)
		e.value(t.Value)
	}
	e.strOmit(`,"procurementMethod":`, t.ProcurementMethod)
	e.strOmit(`,"procurementMethodDetails":`, t.ProcurementMethodDetails)
	e.strOmit(`,"mainProcurementCategory":`, t.MainProcurementCategory)
	e.strOmit(`,"awardCriteria":`, t.AwardCriteria)
	e.strOmit(`,"awardCriteriaDetails":`, t.AwardCriteriaDetails)
	if t.NumberOfTenderers != nil {
		e.raw(`,"numberOfTenderers":`)
		e.int(*t.NumberOfTenderers)
	}
	if len(t.Tenderers) > 0 {
		e.raw(`,"tenderers":`)
		e.orgRefs(t.Tenderers)
	}
	if len(t.Lots) > 0 {
		e.raw(`,"lots":[`)
		for i := range t.Lots {
			if i > 0 {
				e.byte(',')
			}
			e.lot(&t.Lots[i])
		}
		e.byte(']')
	}
	if t.LocalRules != nil {
		e.raw(`,"localRules":`)
		e.localRules(t.LocalRules)
	}
	if len(t.Challenges) > 0 {
		e.raw(`,"challenges":[`)
		for i := range t.Challenges {
			if i > 0 {
				e.byte(',')
			}
			e.challenge(&t.Challenges[i])
		}
		e.byte(']')
	}
	e.byte('}')
}

func (e *ocdsEnc) bids(b *Bids) {
	e.raw(`{"details":`)
	if b.Details == nil {
		e.null()
	} else {
		e.byte('[')
		for i := range b.Details {
			if i > 0 {
				e.byte(',')
			}
			d := &b.Details[i]
			e.raw(`{"id":`)
			e.str(d.ID)
			e.strField(`,"status":`, d.Status)
			e.raw(`,"tenderers":`)
			e.orgRefs(d.Tenderers)
			e.raw(`,"value":`)
			e.value(d.Value)
			e.raw(`,"relatedLots":`)
			e.strings(d.RelatedLots)
			e.byte('}')
		}
		e.byte(']')
	}
	e.byte('}')
}

func (e *ocdsEnc) award(a *Award) {
	e.raw(`{"id":`)
	e.str(a.ID)
	e.strOmit(`,"title":`, a.Title)
	e.strField(`,"status":`, a.Status)
	e.strOmit(`,"date":`, a.Date)
	if a.Value != nil {
		e.raw(`,"value":`)
		e.value(a.Value)
	}
	e.raw(`,"suppliers":`)
	e.orgRefs(a.Suppliers)
	if len(a.RelatedLots) > 0 {
		e.raw(`,"relatedLots":`)
		e.strings(a.RelatedLots)
	}
	e.byte('}')
}

func (e *ocdsEnc) implementation(im *Implementation) {
	e.byte('{')
	comma := false
	if len(im.Transactions) > 0 {
		e.raw(`"transactions":[`)
		for i := range im.Transactions {
			if i > 0 {
				e.byte(',')
			}
			t := &im.Transactions[i]
			e.raw(`{"id":`)
			e.str(t.ID)
			e.strOmit(`,"date":`, t.Date)
			e.raw(`,"value":`)
			e.value(t.Value)
			if t.Payer != nil {
				e.raw(`,"payer":`)
				e.orgRef(t.Payer)
			}
			if t.Payee != nil {
				e.raw(`,"payee":`)
				e.orgRef(t.Payee)
			}
			e.byte('}')
		}
		e.byte(']')
		comma = true
	}
	if len(im.Milestones) > 0 {
		if comma {
			e.byte(',')
		}
		e.raw(`"milestones":[`)
		for i := range im.Milestones {
			if i > 0 {
				e.byte(',')
			}
			m := &im.Milestones[i]
			e.raw(`{"id":`)
			e.str(m.ID)
			e.strField(`,"title":`, m.Title)
			e.strField(`,"type":`, m.Type)
			e.strField(`,"status":`, m.Status)
			e.strOmit(`,"dueDate":`, m.DueDate)
			e.strOmit(`,"dateMet":`, m.DateMet)
			e.byte('}')
		}
		e.byte(']')
	}
	e.byte('}')
}

func (e *ocdsEnc) contract(c *OCDSContract) {
	e.raw(`{"id":`)
	e.str(c.ID)
	e.strField(`,"awardID":`, c.AwardID)
	e.strField(`,"title":`, c.Title)
	e.strField(`,"status":`, c.Status)
	e.raw(`,"value":`)
	e.value(c.Value)
	e.strOmit(`,"dateSigned":`, c.DateSigned)
	if c.Buyer != nil {
		e.raw(`,"buyer":`)
		e.orgRef(c.Buyer)
	}
	if len(c.RelatedLots) > 0 {
		e.raw(`,"relatedLots":`)
		e.strings(c.RelatedLots)
	}
	e.items(`,"items":`, c.Items)
	if c.Implementation != nil {
		e.raw(`,"implementation":`)
		e.implementation(c.Implementation)
	}
	e.byte('}')
}

func (e *ocdsEnc) release(r *Release) {
	e.raw(`{"ocid":`)
	e.str(r.OCID)
	e.strField(`,"id":`, r.ID)
	e.strField(`,"date":`, r.Date)
	e.raw(`,"tag":`)
	e.strings(r.Tag)
	e.strField(`,"initiationType":`, r.InitiationType)
	e.strField(`,"language":`, r.Language)
	if len(r.Parties) > 0 {
		e.raw(`,"parties":[`)
		for i := range r.Parties {
			if i > 0 {
				e.byte(',')
			}
			e.party(&r.Parties[i])
		}
		e.byte(']')
	}
	if r.Buyer != nil {
		e.raw(`,"buyer":`)
		e.orgRef(r.Buyer)
	}
	if r.Planning != nil {
		e.raw(`,"planning":`)
		e.planning(r.Planning)
	}
	if r.Tender != nil {
		e.raw(`,"tender":`)
		e.tender(r.Tender)
	}
	if r.Bids != nil {
		e.raw(`,"bids":`)
		e.bids(r.Bids)
	}
	if len(r.Awards) > 0 {
		e.raw(`,"awards":[`)
		for i := range r.Awards {
			if i > 0 {
				e.byte(',')
			}
			e.award(&r.Awards[i])
		}
		e.byte(']')
	}
	if len(r.Contracts) > 0 {
		e.raw(`,"contracts":[`)
		for i := range r.Contracts {
			if i > 0 {
				e.byte(',')
			}
			e.contract(&r.Contracts[i])
		}
		e.byte(']')
	}
	e.byte('}')
}

// packageHead writes the fields every package starts with.
func (e *ocdsEnc) packageHead(uri, version string, extensions []string, published string, pub *Publisher) {
	e.raw(`{"uri":`)
	e.str(uri)
	e.strField(`,"version":`, version)
	e.raw(`,"extensions":`)
	e.strings(extensions)
	e.strField(`,"publishedDate":`, published)
	e.raw(`,"publisher":{"name":`)
	e.str(pub.Name)
	e.byte('}')
}

func (e *ocdsEnc) links(l *Links) {
	if l == nil {
		return
	}
	e.raw(`,"links":{`)
	if l.Next != "" {
		e.raw(`"next":`)
		e.str(l.Next)
	}
	e.byte('}')
}

func (e *ocdsEnc) releasePackage(p *ReleasePackage) {
	e.packageHead(p.URI, p.Version, p.Extensions, p.PublishedDate, &p.Publisher)
	e.raw(`,"releases":`)
	if p.Releases == nil {
		e.null()
	} else {
		e.byte('[')
		for i := range p.Releases {
			if i > 0 {
				e.byte(',')
			}
			e.release(&p.Releases[i])
		}
		e.byte(']')
	}
	e.links(p.Links)
	e.byte('}')
}

func (e *ocdsEnc) record(r *Record) {
	e.raw(`{"ocid":`)
	e.str(r.OCID)
	e.raw(`,"releases":`)
	if r.Releases == nil {
		e.null()
	} else {
		e.byte('[')
		for i := range r.Releases {
			if i > 0 {
				e.byte(',')
			}
			l := &r.Releases[i]
			e.raw(`{"url":`)
			e.str(l.URL)
			e.strField(`,"date":`, l.Date)
			e.raw(`,"tag":`)
			e.strings(l.Tag)
			e.byte('}')
		}
		e.byte(']')
	}
	e.raw(`,"compiledRelease":`)
	e.release(&r.CompiledRelease)
	e.byte('}')
}

func (e *ocdsEnc) recordPackage(p *RecordPackage) {
	e.packageHead(p.URI, p.Version, p.Extensions, p.PublishedDate, &p.Publisher)
	e.raw(`,"packages":`)
	e.strings(p.Packages)
	e.raw(`,"records":`)
	if p.Records == nil {
		e.null()
	} else {
		e.byte('[')
		for i := range p.Records {
			if i > 0 {
				e.byte(',')
			}
			e.record(&p.Records[i])
		}
		e.byte(']')
	}
	e.links(p.Links)
	e.byte('}')
}
