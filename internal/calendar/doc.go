// Package calendar implements the Chinese working-day calendar that every
// deadline on the platform is counted in (appeal SLAs, credit repair
// reviews, inspection results).
//
// A day is a working day when it is Monday to Friday and not an official
// holiday (法定节假日 or a rest day moved onto a weekday by 调休), or when it
// is a Saturday or Sunday that the State Council schedule turns into a
// working day (调休上班). The schedule for each year is published by the
// General Office of the State Council late in the previous year; the years
// this package knows are embedded in holidays.json and returned by
// LoadOfficial. A platform administrator imports later years with
// ParseOverrides (same JSON format) or ParseOverridesCSV.
//
// Date is a plain calendar day with no time zone. Conversions between
// instants and dates are explicit and, for deadlines, always happen in
// Asia/Shanghai (see Shanghai, FromTime and Calendar.Deadline).
//
// A Calendar is immutable and safe for concurrent use. Beyond the years it
// has data for, it counts Monday to Friday as working days; use HasYear to
// warn users when a deadline lands in a year without data.
package calendar
