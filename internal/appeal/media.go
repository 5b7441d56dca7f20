package appeal

// Video and voice attachments (Jiyuan's 码上服务 takes text, pictures,
// video, phone, letter and visits): short videos must be MP4 with H.264
// video (what every phone and browser plays), checked by walking the
// file's boxes to its sample descriptions; voice notes may be M4A, AMR,
// MP3 or WAV, all decided by content in the file store. Both have their
// own size limit (Settings.MaxMediaBytes), larger than the picture/PDF one.

import (
	"encoding/binary"
	"errors"
	"slices"

	"yingshang/internal/filestore"
	"yingshang/internal/yserr"
)

// MediaTypes are the video and voice types an appeal accepts.
var MediaTypes = []string{filestore.MP4, filestore.M4A, filestore.AMR, filestore.MP3, filestore.WAV}

// errBox is a malformed ISO base media file.
var errBox = errors.New("malformed MP4 box structure")

// containers are the boxes on the way from the file to the sample
// descriptions (moov/trak/mdia/minf/stbl/stsd).
var containers = []string{"moov", "trak", "mdia", "minf", "stbl"}

// VideoCodecs lists the sample-entry types (codecs, e.g. "avc1", "hvc1",
// "mp4a") of an MP4 file's tracks, walking at most depth 6 and at most
// 10,000 boxes. It never reads beyond data.
func VideoCodecs(data []byte) ([]string, error) {
	var out []string
	budget := 10000
	var walk func(b []byte, depth int) error
	walk = func(b []byte, depth int) error {
		for len(b) > 0 {
			if budget--; budget < 0 || depth > 6 {
				return errBox
			}
			if len(b) < 8 {
				return errBox
			}
			size := uint64(binary.BigEndian.Uint32(b[:4]))
			typ := string(b[4:8])
			hdr := uint64(8)
			switch size {
			case 0:
				size = uint64(len(b))
			case 1:
				if len(b) < 16 {
					return errBox
				}
				size, hdr = binary.BigEndian.Uint64(b[8:16]), 16
			}
			if size < hdr || size > uint64(len(b)) {
				return errBox
			}
			body := b[hdr:size]
			switch {
			case slices.Contains(containers, typ):
				if err := walk(body, depth+1); err != nil {
					return err
				}
			case typ == "stsd":
				// Full box: version and flags, entry count, then sample entries (boxes).
				if len(body) < 8 {
					return errBox
				}
				n := binary.BigEndian.Uint32(body[4:8])
				entries := body[8:]
				for i := uint32(0); i < n; i++ {
					if len(entries) < 8 {
						return errBox
					}
					es := uint64(binary.BigEndian.Uint32(entries[:4]))
					if es < 8 || es > uint64(len(entries)) {
						return errBox
					}
					out = append(out, string(entries[4:8]))
					entries = entries[es:]
				}
			}
			b = b[size:]
		}
		return nil
	}
	if err := walk(data, 0); err != nil {
		return nil, err
	}
	return out, nil
}

// checkMedia refuses a video that is not H.264 in MP4 and any video or
// voice note over the media limit; other types pass.
func checkMedia(mediaType string, data []byte, name string, st Settings) error {
	if !slices.Contains(MediaTypes, mediaType) {
		if int64(len(data)) > st.MaxAttachmentBytes {
			return yserr.Field("file", "文件 "+name+" 过大（图片和 PDF 最大 "+itoa(int(st.MaxAttachmentBytes>>20))+" MB）",
				"the file "+name+" is too large (pictures and PDF at most "+itoa(int(st.MaxAttachmentBytes>>20))+" MB)")
		}
		return nil
	}
	if int64(len(data)) > st.MaxMediaBytes {
		return yserr.Field("file", "音视频 "+name+" 过大（最大 "+itoa(int(st.MaxMediaBytes>>20))+" MB）",
			"the video or voice note "+name+" is too large (at most "+itoa(int(st.MaxMediaBytes>>20))+" MB)")
	}
	if mediaType != filestore.MP4 {
		return nil
	}
	codecs, err := VideoCodecs(data)
	if err != nil || !slices.ContainsFunc(codecs, func(c string) bool { return c == "avc1" || c == "avc3" }) {
		return yserr.Field("file", "视频 "+name+" 须为 MP4（H.264 编码）", "the video "+name+" must be MP4 with H.264 video")
	}
	return nil
}
