package appeal_test

import (
	"bytes"
	"encoding/binary"
	"slices"
	"testing"

	"yingshang/internal/appeal"
	"yingshang/internal/filestore"
	"yingshang/internal/yserr"
)

// box builds an ISO base media box.
func box(typ string, body ...[]byte) []byte {
	b := bytes.Join(body, nil)
	out := make([]byte, 8, 8+len(b))
	binary.BigEndian.PutUint32(out, uint32(8+len(b)))
	copy(out[4:], typ)
	return append(out, b...)
}

// mp4 is a minimal MP4 with one track of the given codec ("avc1", "hvc1").
func mp4(codec string) []byte {
	stsd := box("stsd", []byte{0, 0, 0, 0, 0, 0, 0, 1}, box(codec, make([]byte, 78)))
	moov := box("moov", box("mvhd", make([]byte, 100)), box("trak", box("mdia", box("minf", box("stbl", stsd)))))
	return append(box("ftyp", []byte("isom\x00\x00\x02\x00isomavc1mp41")), append(moov, box("mdat", make([]byte, 64))...)...)
}

func TestVideoCodecs(t *testing.T) {
	if got, err := appeal.VideoCodecs(mp4("avc1")); err != nil || !slices.Equal(got, []string{"avc1"}) {
		t.Fatalf("avc1: %v %v", got, err)
	}
	bad := mp4("avc1")
	binary.BigEndian.PutUint32(bad[len(bad)-72:], 1<<30) // the mdat box claims more than the file
	if _, err := appeal.VideoCodecs(bad); err == nil {
		t.Fatal("a truncated box passed")
	}
}

// TestVideoAndVoiceAttachments: an H.264 MP4 and an AMR voice note are
// accepted by content; an H.265 MP4, a video renamed as a picture and a
// video over the media limit are refused naming the file field.
func TestVideoAndVoiceAttachments(t *testing.T) {
	for _, e := range engines {
		t.Run(string(e), func(t *testing.T) {
			f := newFixture(t, e)
			a := f.submit(t, appeal.Complaint)
			att, err := f.svc.Attach(f.ctx["ent"], a.ID, "现场.mp4", bytes.NewReader(mp4("avc1")))
			if err != nil || att.MIME != filestore.MP4 {
				t.Fatalf("H.264 video: %+v %v", att, err)
			}
			voice := append([]byte("#!AMR\n"), bytes.Repeat([]byte{0x3c, 0x48, 0xf5, 0x1f}, 50)...)
			if att, err := f.svc.Attach(f.ctx["ent"], a.ID, "语音.amr", bytes.NewReader(voice)); err != nil || att.MIME != filestore.AMR {
				t.Fatalf("voice note: %+v %v", att, err)
			}
			refuse := func(name string, data []byte, why string) {
				t.Helper()
				_, err := f.svc.Attach(f.ctx["ent"], a.ID, name, bytes.NewReader(data))
				if ye := yserr.As(err); ye == nil || ye.Field != "file" {
					t.Fatalf("%s: %v", why, err)
				}
			}
			refuse("现场.mp4", mp4("hvc1"), "H.265 video")
			refuse("现场.png", mp4("avc1"), "video named as a picture")
			st, _ := f.svc.Settings(f.ctx["admin"])
			st.MaxMediaBytes = 200
			if err := f.svc.SaveSettings(f.ctx["admin"], st); err != nil {
				t.Fatal(err)
			}
			refuse("现场.mp4", mp4("avc1"), "video over the media limit")
			if list, _ := f.svc.Attachments(f.ctx["ent"], a.ID); len(list) != 2 {
				t.Fatalf("%d attachments, want 2", len(list))
			}
		})
	}
}
