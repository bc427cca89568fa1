import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

/** Output items of one input item, paired with it. */
export function pairedItems(
	ctx: IExecuteFunctions,
	itemIndex: number,
	data: object | object[],
): INodeExecutionData[] {
	return ctx.helpers.constructExecutionMetaData(
		ctx.helpers.returnJsonArray(data as IDataObject | IDataObject[]),
		{ itemData: { item: itemIndex } },
	);
}
