package bot

import (
	"context"
	"fmt"
	"strconv"

	"github.com/slack-go/slack"

	"github.com/deskbot/deskbot/commands"
	"github.com/deskbot/deskbot/domain"
)

// actSurvey is a rating button of the satisfaction question; its value is
// "ACME-42|rating".
const actSurvey = "survey"

// surveyFaces label the ratings 1 to domain.SurveyScale.
var surveyFaces = []string{":disappointed:", ":slightly_frowning_face:", ":neutral_face:", ":slightly_smiling_face:", ":star-struck:"}

// surveyNotice words the question asked when a ticket is resolved, with
// one button per rating.
func surveyNotice(job commands.PostJob, key, title string) notice {
	text := fmt.Sprintf("*%s* %s is resolved. %s", key, title, escCut(job.Args["question"], 300))
	buttons := make([]slack.BlockElement, 0, domain.SurveyScale)
	for i := 1; i <= domain.SurveyScale; i++ {
		label := plain(surveyFaces[(i-1)%len(surveyFaces)] + " " + strconv.Itoa(i))
		buttons = append(buttons, slack.NewButtonBlockElement(fmt.Sprintf("%s_%d", actSurvey, i), key+"|"+strconv.Itoa(i), label))
	}
	return notice{text: text, blocks: []slack.Block{
		slack.NewSectionBlock(mrkdwn(text), nil, nil),
		slack.NewActionBlock("survey", buttons...),
	}}
}

// isSurveyAction tells the rating buttons (survey_1 … survey_5) apart.
func isSurveyAction(id string) bool {
	if len(id) <= len(actSurvey)+1 || id[:len(actSurvey)+1] != actSurvey+"_" {
		return false
	}
	_, err := strconv.Atoi(id[len(actSurvey)+1:])
	return err == nil
}

func (b *Bot) answerSurvey(ctx context.Context, a domain.Actor, responseURL, key, rating string) {
	n, _ := strconv.Atoi(rating)
	if _, err := b.svc.AnswerSurvey(ctx, a, key, n); err != nil {
		b.fail(ctx, responseURL, err)
		return
	}
	b.reply(ctx, responseURL, fmt.Sprintf("Thank you! Your %d/%d for *%s* is recorded; click again to change it.", n, domain.SurveyScale, key))
}
